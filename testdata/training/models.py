"""The HE-friendly networks of Ciphernet's model zoo, in PyTorch.

Every activation is a polynomial of degree two (x**2 or a*x**2 + b*x + c), pooling is average
pooling, batch-norm is folded by the importer, so the exported ONNX graphs use only the operators
Ciphernet's importer accepts.
"""
import torch
from torch import nn


class Square(nn.Module):
    """x**2, exported as Mul(x, x)."""

    def forward(self, x):
        return x * x


class Quadratic(nn.Module):
    """Trainable a*x**2 + b*x + c (Chielle et al. 2025, Baruch et al. 2022), one per layer.

    Initialized to the least-squares fit of ReLU on [-bound, bound]: 3B/32 + x/2 + 15x**2/(32B).
    `last_input` keeps the latest input so the range penalty can see it.
    """

    def __init__(self, bound):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(15.0 / (32.0 * bound)))
        self.b = nn.Parameter(torch.tensor(0.5))
        self.c = nn.Parameter(torch.tensor(3.0 * bound / 32.0))
        self.last_input = None

    def forward(self, x):
        self.last_input = x
        return self.a * (x * x) + self.b * x + self.c


def activation(kind, bound=4.0):
    if kind == "square":
        return Square()
    if kind == "quadratic":
        return Quadratic(bound)
    if kind == "relu":
        return nn.ReLU()
    raise ValueError(kind)


class CryptoNets(nn.Module):
    """CryptoNets (Gilad-Bachrach et al. 2016) as in LoLa: conv 5x5 stride 2 padding 1, 5 maps, x**2,
    dense 845 -> 100, x**2, dense 100 -> 10."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 5, 5, stride=2, padding=1)
        self.fc1 = nn.Linear(845, 100)
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x):
        x = self.conv(x)
        x = x * x
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = x * x
        return self.fc2(x)


class DiracConv(nn.Module):
    """Dirac-parameterized 3x3 convolution (Drucker & Zimerman 2023): alpha*x + beta*(W conv x),
    per output channel. `effective_weight` folds it into one plain convolution, which is what is
    exported (an exact rewrite)."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=True)
        nn.init.normal_(self.conv.weight, std=0.01)
        self.alpha = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.ones(channels))
        # the identity kernel, a constant (so the ONNX export folds the whole effective weight)
        dirac = torch.zeros_like(self.conv.weight)
        dirac[torch.arange(channels), torch.arange(channels), 1, 1] = 1.0
        self.register_buffer("dirac", dirac, persistent=False)

    def effective_weight(self):
        return self.alpha.view(-1, 1, 1, 1) * self.dirac + self.beta.view(-1, 1, 1, 1) * self.conv.weight

    def forward(self, x):
        return nn.functional.conv2d(x, self.effective_weight(), self.beta * self.conv.bias, padding=1)


class Block(nn.Module):
    """conv-BN-act-conv-BN(-act), with the skip chosen by the variant."""

    def __init__(self, cin, cout, stride, act, dirac):
        super().__init__()
        if dirac and cin == cout and stride == 1:
            self.conv1, self.conv2 = DiracConv(cin), DiracConv(cout)
        else:
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
            self.conv2 = DiracConv(cout) if dirac else nn.Conv2d(cout, cout, 3, padding=1)
        self.bn1, self.bn2 = nn.BatchNorm2d(cout), nn.BatchNorm2d(cout)
        self.act1, self.act2 = activation(act), activation(act)
        self.project = None
        if stride != 1 or cin != cout:
            self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride), nn.BatchNorm2d(cout))

    def forward(self, x, residual):
        y = self.act1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if residual:
            y = y + (x if self.project is None else self.project(x))
        return self.act2(y)


class HeResNet(nn.Module):
    """A small HE-friendly ResNet for 28x28x1 images: stem conv, three stages of one block each
    (widths w, 2w, 4w; stages 2 and 3 stride 2), global average pooling, dense to 10 classes.

    skip = "residual": a skip per block (the reference); "shared": Dirac-parameterized
    convolutions and shared-source skips, the stem output added (projected where shapes differ)
    at each stage's end (Drucker & Zimerman 2023); "none": no skips.
    """

    def __init__(self, skip, act="square", width=8):
        super().__init__()
        self.skip = skip
        widths = [width, 2 * width, 4 * width]
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width))
        self.stem_act = activation(act)
        dirac = skip == "shared"
        self.blocks = nn.ModuleList()
        self.sources = nn.ModuleList()
        cin = width
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            self.blocks.append(Block(cin, w, stride, act, dirac))
            if skip == "shared":
                # the stem output reaches stage i through one strided 1x1 projection
                total = 2 ** i
                self.sources.append(nn.Identity() if total == 1 and w == width else
                                    nn.Sequential(nn.AvgPool2d(total, total) if total > 1 else nn.Identity(),
                                                  nn.Conv2d(width, w, 1), nn.BatchNorm2d(w)))
            cin = w
        self.fc = nn.Linear(widths[-1], 10)

    def forward(self, x):
        s = self.stem_act(self.stem(x))
        x = s
        for i, block in enumerate(self.blocks):
            if self.skip == "shared":
                y = block(x, residual=False)
                x = y + self.sources[i](s)
            else:
                x = block(x, residual=self.skip == "residual")
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class SmallCnn(nn.Module):
    """The network of the activation study (Chielle et al. 2025, Baruch et al. 2022): two conv-BN-act
    stages with 2x2 average pooling, then dense-act-dense. act = relu (teacher), square or quadratic."""

    def __init__(self, act):
        super().__init__()
        self.conv1, self.bn1, self.act1 = nn.Conv2d(1, 8, 5, stride=2, padding=2), nn.BatchNorm2d(8), activation(act)
        self.conv2, self.bn2, self.act2 = nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), activation(act)
        self.pool = nn.AvgPool2d(2, 2)
        self.fc1, self.bn3, self.act3 = nn.Linear(16 * 7 * 7, 64), nn.BatchNorm1d(64), activation(act)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.pool(self.act2(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        return self.fc2(self.act3(self.bn3(self.fc1(x))))


def quadratic_layers(model):
    return [m for m in model.modules() if isinstance(m, Quadratic)]

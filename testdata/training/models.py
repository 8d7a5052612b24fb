"""The HE-friendly networks of Ciphernet's model zoo, in PyTorch.

Every activation is a polynomial of degree two (x**2 or a*x**2 + b*x + c), pooling is average
pooling, batch-norm is folded by the importer, so the exported ONNX graphs use only the operators
Ciphernet's importer accepts. (The ReLU teachers are the exception, and the smooth activation mixes
in a ReLU only while it trains: once its ratio reaches 1 it is the quadratic alone.)
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


class Smooth(Quadratic):
    """The smooth replacement of a ReLU by a trainable quadratic (Baruch et al. 2022, "A methodology
    for training homomorphic encryption friendly neural networks", arXiv 2111.03362):

        r * (a*x**2 + b*x + c) + (1 - r) * ReLU(x)

    with a, b, c initialized as in `Quadratic` (the least-squares fit of ReLU on [-bound, bound]) and
    the ratio r a buffer, not a parameter: the training loop moves it from 0 (the pretrained ReLU
    network) to 1 (a purely polynomial network). At r == 1 the forward is the quadratic alone, the
    very graph `Quadratic` exports, so the ONNX export has no Relu. A subclass of `Quadratic`, so
    `quadratic_layers` finds it and the range penalty sees its input from the first step.
    """

    def __init__(self, bound):
        super().__init__(bound)
        self.register_buffer("r", torch.tensor(0.0))

    def forward(self, x):
        q = super().forward(x)
        r = float(self.r)
        if r >= 1.0:
            return q
        return r * q + (1.0 - r) * torch.relu(x)


def activation(kind, bound=4.0):
    if kind == "square":
        return Square()
    if kind == "quadratic":
        return Quadratic(bound)
    if kind == "smooth":
        return Smooth(bound)
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
    stages with 2x2 average pooling, then dense-act-dense. act = relu (teacher), square, quadratic or
    smooth (the ReLU-to-quadratic replacement of Baruch et al. 2022)."""

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


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998) with x**2 activations, the MNIST network of SHE (Lou & Jiang 2019,
    "SHE: A fast and accurate deep neural network for encrypted data", NeurIPS), which Ciphernet's
    comparison runs: conv 5x5 1->6 padding 2, x**2, avgpool 2, conv 5x5 6->16, x**2, avgpool 2,
    flatten 400, dense 120, x**2, dense 84, x**2, dense 10.

    batchnorm=True puts a BatchNorm after each conv and hidden dense layer (before the x**2); the
    importer folds it into that layer, so the encrypted network is the same shape either way. The
    zoo's lenet5-square is trained without it (plain x**2 did not diverge, see train.py).
    """

    def __init__(self, batchnorm=False):
        super().__init__()
        norm2d = (lambda c: nn.BatchNorm2d(c)) if batchnorm else (lambda c: nn.Identity())
        norm1d = (lambda c: nn.BatchNorm1d(c)) if batchnorm else (lambda c: nn.Identity())
        self.conv1, self.bn1 = nn.Conv2d(1, 6, 5, padding=2), norm2d(6)
        self.conv2, self.bn2 = nn.Conv2d(6, 16, 5), norm2d(16)
        self.pool = nn.AvgPool2d(2, 2)
        self.fc1, self.bn3 = nn.Linear(400, 120), norm1d(120)
        self.fc2, self.bn4 = nn.Linear(120, 84), norm1d(84)
        self.fc3 = nn.Linear(84, 10)
        self.act = Square()

    def forward(self, x):
        x = self.pool(self.act(self.bn1(self.conv1(x))))
        x = self.pool(self.act(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        x = self.act(self.bn3(self.fc1(x)))
        x = self.act(self.bn4(self.fc2(x)))
        return self.fc3(x)


def quadratic_layers(model):
    """The trainable quadratic activations (`Quadratic` and its subclass `Smooth`)."""
    return [m for m in model.modules() if isinstance(m, Quadratic)]


def smooth_layers(model):
    return [m for m in model.modules() if isinstance(m, Smooth)]


def fold_batchnorm(model):
    """Folds every BatchNorm of `model` (eval statistics) into the conv or linear layer before it and
    replaces it by nn.Identity, in place: for y = W x + b followed by BN with mean m, variance v,
    scale g, shift h, the folded layer is W' = W * s, b' = (b - m) * s + h with s = g / sqrt(v + eps)
    per output channel (computed in float64). This is the rewrite Ciphernet's importer does, so the
    folded weights are the ones its compiler sees. Pairs are found by attribute order: each
    bnN follows the layer registered just before it (SmallCnn and LeNet5 are written that way)."""
    previous = None
    for name, module in list(model.named_children()):
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if not isinstance(previous, (nn.Conv2d, nn.Linear)):
                raise ValueError(f"{name} does not follow a conv or linear layer")
            s = module.weight.double() / torch.sqrt(module.running_var.double() + module.eps)
            w = previous.weight.data.double()
            b = previous.bias.data.double() if previous.bias is not None else torch.zeros(len(s), dtype=torch.float64)
            previous.weight.data = (w * s.view(-1, *([1] * (w.dim() - 1)))).float()
            previous.bias = nn.Parameter(((b - module.running_mean.double()) * s + module.bias.double()).float())
            setattr(model, name, nn.Identity())
        elif not isinstance(module, (nn.Identity, Quadratic, nn.ReLU, Square, nn.AvgPool2d)):
            previous = module
    return model

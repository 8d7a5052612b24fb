"""Trains one model of the Ciphernet zoo, exports it to ONNX under testdata/models/ records it in
testdata/models/manifest.json (dataset, plaintext test accuracy, command, seed) and writes PyTorch's
logits for the first 20 test images to testdata/models/<model>.expected.json.

    /usr/bin/python3 testdata/training/train.py cryptonets --epochs 15 --seed 1

Models: cryptonets (MNIST); resnet-residual, resnet-shared, resnet-none (Drucker & Zimerman 2023,
Fashion-MNIST, trainable quadratic activations: with plain x**2 these ResNets diverged in training,
loss 2.73 and 13 % accuracy after one epoch); small-relu, small-square, small-quadratic, small-quadratic-kd
(the activation study of Chielle et al. 2025 and Baruch et al. 2022, Fashion-MNIST; quadratic
students train with the range penalty, -kd distils from small-relu, which must be trained first);
small-smooth, small-smooth-kd (the smooth replacement of Baruch et al. 2022, arXiv 2111.03362: start
from the seed-1 small-relu weights, activation r*(a*x**2 + b*x + c) + (1 - r)*ReLU(x) with r rising
linearly from 0 to 1 over the first 60 % of the steps and then held at 1, so the exported model is
purely quadratic; -kd also distils from small-relu); lenet5-square (LeNet-5 with x**2, the MNIST
network of SHE, Lou & Jiang 2019, on our 8,000/2,000 MNIST split, without BatchNorm: the plain x**2
network did not diverge with this loop's one-cycle Adam and gradient clipping, seed 1 reached 0.9745
at lr 2e-3, 0.9715 at 1e-3, 0.9470 at 3e-4 after 15 epochs; BatchNorm after each conv and hidden
dense layer, which the importer would fold, reached 0.9820 at 2e-3 but was not needed).

--clusters K (Chielle et al. 2025, arXiv 2509.22857, parameter clustering) takes the trained seed-1
small-quadratic checkpoint, folds every BatchNorm into the conv/linear layer before it (the importer
does the same fold, so the compiler sees these weights), replaces each layer's weight tensor by its
1-D k-means clustering into K values (quantile initialization, Lloyd iterations) and fine-tunes the
centroids for one epoch with the assignments fixed (biases and activation coefficients free, range
penalty on); saved as small-quadratic-k<K>, with the accuracy before fine-tuning in the manifest.
Training runs on the CPU; CIPHERNET_TRAIN_THREADS sets the thread count (default 2).

Seed 1 is the model the harness tables use and keeps the plain name; another seed S is saved as
<model>-seed<S> with "architecture": <model> in its manifest entry, for the harness's seed comparison.
Distilled students always learn from the seed-1 teacher, and smooth models start from it.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

import datasets
import expected_logits
import models

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, "..", "models"))
CHECKPOINTS = os.path.join(HERE, "checkpoints")  # teacher weights for distillation (not committed)

SPECS = {
    "cryptonets": dict(dataset="mnist", build=lambda: models.CryptoNets(), lr=1e-3, epochs=15),
    "resnet-residual": dict(dataset="fashion-mnist", build=lambda: models.HeResNet("residual", act="quadratic"), lr=1e-3, epochs=5),
    "resnet-shared": dict(dataset="fashion-mnist", build=lambda: models.HeResNet("shared", act="quadratic"), lr=1e-3, epochs=5),
    "resnet-none": dict(dataset="fashion-mnist", build=lambda: models.HeResNet("none", act="quadratic"), lr=1e-3, epochs=5),
    "small-relu": dict(dataset="fashion-mnist", build=lambda: models.SmallCnn("relu"), lr=2e-3, epochs=8),
    "small-square": dict(dataset="fashion-mnist", build=lambda: models.SmallCnn("square"), lr=2e-3, epochs=8),
    "small-quadratic": dict(dataset="fashion-mnist", build=lambda: models.SmallCnn("quadratic"), lr=2e-3, epochs=8),
    "small-quadratic-kd": dict(dataset="fashion-mnist", build=lambda: models.SmallCnn("quadratic"), lr=2e-3, epochs=8,
                               teacher="small-relu"),
    "small-smooth": dict(dataset="fashion-mnist", build=lambda: models.SmallCnn("smooth"), lr=2e-3, epochs=8,
                         init="small-relu", ramp=0.6),
    "small-smooth-kd": dict(dataset="fashion-mnist", build=lambda: models.SmallCnn("smooth"), lr=2e-3, epochs=8,
                            init="small-relu", ramp=0.6, teacher="small-relu"),
    # plain x**2 (no BatchNorm) trains: see the module docstring for the lr and BatchNorm ablation
    "lenet5-square": dict(dataset="mnist", build=lambda: models.LeNet5(batchnorm=False), lr=2e-3, epochs=15),
}

PRIMARY_SEED = 1      # the seed whose model keeps the plain name
RANGE_BOUND = 4.0      # B of the range penalty
RANGE_WEIGHT = 1e-3    # zeta
KD_TEMPERATURE = 4.0
KD_WEIGHT = 0.5
CLUSTER_LR = 1e-4      # fine-tuning of the centroids after k-means (Adam, one cycle)
CLUSTER_EPOCHS = 1
LLOYD_ITERATIONS = 50
HE_FORBIDDEN = {"Relu", "Max", "Where"}  # must not reach an exported HE model


def range_penalty(model):
    terms = [(x - x.clamp(-RANGE_BOUND, RANGE_BOUND)).abs().mean() for x in
             (q.last_input for q in models.quadratic_layers(model)) if x is not None]
    return sum(terms) if terms else torch.zeros(())


def onnx_operators(path):
    """The op_type of every node of an ONNX file's graph, read from the protobuf wire format directly
    (ModelProto.graph = field 7, GraphProto.node = 1, NodeProto.op_type = 4), so no onnx package is
    needed."""

    def fields(buf):
        i = 0
        while i < len(buf):
            key, i = varint(buf, i)
            number, wire = key >> 3, key & 7
            if wire == 0:
                _, i = varint(buf, i)
            elif wire == 1:
                i += 8
            elif wire == 5:
                i += 4
            elif wire == 2:
                length, i = varint(buf, i)
                yield number, buf[i:i + length]
                i += length
            else:
                raise ValueError(f"{path}: unexpected wire type {wire}")

    def varint(buf, i):
        value, shift = 0, 0
        while True:
            byte = buf[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, i

    with open(path, "rb") as f:
        data = f.read()
    ops = []
    for number, graph in fields(data):
        if number == 7:
            for n, node in fields(graph):
                if n == 1:
                    ops += [v.decode() for k, v in fields(node) if k == 4]
    return ops


def kmeans_1d(values, k, iterations=LLOYD_ITERATIONS):
    """Lloyd's k-means on scalars: centroids start at the quantiles (i + 1/2) / k of the values
    (deterministic; quantiles put more centroids where the weights are dense), then alternate
    nearest-centroid assignment and centroid = mean of its values (an empty cluster keeps its
    centroid) until the assignment stops changing. Returns float32 centroids and int64 assignments."""
    x = values.detach().reshape(-1).double()
    centroids = torch.quantile(x, (torch.arange(k, dtype=torch.float64) + 0.5) / k)
    assignment = None
    for _ in range(iterations):
        new = (x[:, None] - centroids[None, :]).abs().argmin(1)
        if assignment is not None and torch.equal(new, assignment):
            break
        assignment = new
        counts = torch.bincount(assignment, minlength=k).double()
        sums = torch.zeros(k, dtype=torch.float64).index_add_(0, assignment, x)
        centroids = torch.where(counts > 0, sums / counts.clamp(min=1), centroids)
    return centroids.float(), assignment


class ClusteredWeight(nn.Module):
    """A parametrization (torch.nn.utils.parametrize) of a layer's weight as centroids[assignment]:
    the assignment is fixed, the centroids train, so each centroid's gradient is the sum of the
    gradients of the weights in its cluster."""

    def __init__(self, centroids, assignment, shape):
        super().__init__()
        self.centroids = nn.Parameter(centroids)
        self.register_buffer("assignment", assignment)
        self.shape = shape

    def forward(self, original):
        return self.centroids[self.assignment].view(self.shape)


def weight_layers(model):
    return [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def cluster(model, k):
    """Replaces every conv and linear weight of a BN-folded model by its k-means clustering into k
    values, parametrized so that fine-tuning trains the centroids (biases stay free)."""
    from torch.nn.utils import parametrize
    for _, layer in weight_layers(model):
        centroids, assignment = kmeans_1d(layer.weight, k)
        parametrize.register_parametrization(layer, "weight",
                                             ClusteredWeight(centroids, assignment, tuple(layer.weight.shape)))
        layer.parametrizations.weight.original.requires_grad_(False)


def uncluster(model, k):
    """Makes every clustered weight a plain parameter again (its values centroids[assignment]) and
    checks that each layer has at most k distinct values."""
    from torch.nn.utils import parametrize
    for name, layer in weight_layers(model):
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
        distinct = len(torch.unique(layer.weight.detach()))
        assert distinct <= k, f"{name}: {distinct} distinct weights > {k}"


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 1000):
            out = model(torch.from_numpy(images[i:i + 1000]))
            correct += (out.argmax(1).numpy() == labels[i:i + 1000]).sum()
    return correct / len(images)


def train(model, name, spec, train_x, train_y, test_x, test_y, params, lr, epochs, batch, rng, teacher, start):
    """Adam with a one-cycle schedule, cross-entropy, the range penalty on the quadratic activations'
    inputs, distillation from the teacher if any, gradient clipping at norm 1. For smooth
    activations the ratio r rises linearly from 0 at the first step to 1 after spec["ramp"] of the
    steps and stays 1. Returns the test accuracy after each epoch."""
    quadratic = bool(models.quadratic_layers(model))
    smooth = models.smooth_layers(model)
    opt = torch.optim.Adam(params, lr=lr)
    steps = epochs * ((len(train_x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    ramp_steps = spec.get("ramp", 0) * steps
    ce = nn.CrossEntropyLoss()
    step = 0
    history = []
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(train_x))
        total = 0.0
        for i in range(0, len(order), batch):
            if smooth:
                r = min(1.0, step / ramp_steps) if ramp_steps > 0 else 1.0
                for m in smooth:
                    m.r.fill_(r)
            idx = order[i:i + batch]
            x, y = torch.from_numpy(train_x[idx]), torch.from_numpy(train_y[idx])
            out = model(x)
            loss = ce(out, y)
            if quadratic:
                loss = loss + RANGE_WEIGHT * range_penalty(model)
            if teacher is not None:
                with torch.no_grad():
                    soft = torch.softmax(teacher(x) / KD_TEMPERATURE, 1)
                kd = nn.functional.kl_div(torch.log_softmax(out / KD_TEMPERATURE, 1), soft, reduction="batchmean")
                loss = (1 - KD_WEIGHT) * loss + KD_WEIGHT * KD_TEMPERATURE ** 2 * kd
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            total += loss.item() * len(idx)
        acc = float(accuracy(model, test_x, test_y))
        history.append(round(acc, 4))
        ratio = f", r {float(smooth[0].r):.3f}" if smooth else ""
        print(f"{name} epoch {epoch + 1}/{epochs}: loss {total / len(train_x):.4f}, "
              f"test accuracy {acc:.4f}{ratio} ({time.time() - start:.0f} s)", flush=True)
    if smooth:
        for m in smooth:
            m.r.fill_(1.0)  # the schedule ends at 1; make it exact for the export
    return history


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", choices=sorted(SPECS))
    p.add_argument("--epochs", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--clusters", type=int,
                   help="cluster the trained model's BN-folded weights into this many values per layer and "
                        "fine-tune the centroids (saved as <model>-k<K>)")
    p.add_argument("--export-only", action="store_true",
                   help="re-export the saved checkpoint (after a change to the export) without training")
    args = p.parse_args()
    spec = SPECS[args.model]
    if args.clusters:
        if args.seed != PRIMARY_SEED or not args.model.startswith("small-quadratic"):
            sys.exit("--clusters: only for a seed-1 small-quadratic model")
        architecture = f"{args.model}-k{args.clusters}"
        name = architecture
    else:
        architecture = args.model
        name = args.model if args.seed == PRIMARY_SEED else f"{args.model}-seed{args.seed}"
    epochs = args.epochs or (CLUSTER_EPOCHS if args.clusters else spec["epochs"])
    torch.set_num_threads(int(os.environ.get("CIPHERNET_TRAIN_THREADS", "2")))
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_x, train_y = datasets.load(spec["dataset"], "train")
    test_x, test_y = datasets.load(spec["dataset"], "test")
    model = spec["build"]()
    extra = {}
    teacher = None
    if "teacher" in spec:
        teacher = SPECS[spec["teacher"]]["build"]()
        teacher.load_state_dict(torch.load(os.path.join(CHECKPOINTS, spec["teacher"] + ".pt")))
        teacher.eval()
    start = time.time()
    if args.export_only:
        if args.clusters:
            models.fold_batchnorm(model)
        model.load_state_dict(torch.load(os.path.join(CHECKPOINTS, name + ".pt")))
        epochs = 0
    elif args.clusters:
        # Chielle et al. 2025: fold BN first (the compiler sees the folded weights), then per layer
        # k-means, then fine-tune the centroids with the assignments fixed
        model.load_state_dict(torch.load(os.path.join(CHECKPOINTS, args.model + ".pt")))
        model.eval()
        base = float(accuracy(model, test_x, test_y))
        models.fold_batchnorm(model)
        folded = float(accuracy(model, test_x, test_y))
        cluster(model, args.clusters)
        before = float(accuracy(model, test_x, test_y))
        print(f"{name}: base {base:.4f}, BN folded {folded:.4f}, after k-means {before:.4f}", flush=True)
        params = [q for q in model.parameters() if q.requires_grad]
        history = train(model, name, spec, train_x, train_y, test_x, test_y, params, CLUSTER_LR, epochs,
                        args.batch, rng, None, start)
        uncluster(model, args.clusters)
        extra = {"clusters": args.clusters, "base": args.model, "baseAccuracy": round(base, 4),
                 "accuracyBeforeFineTune": round(before, 4), "epochAccuracies": history}
    else:
        if "init" in spec:
            # smooth replacement: the pretrained seed-1 ReLU network's weights; the new activation
            # coefficients (a, b, c, r) keep their initial values
            missing, unexpected = model.load_state_dict(torch.load(os.path.join(CHECKPOINTS, spec["init"] + ".pt")),
                                                        strict=False)
            assert not unexpected and all(k.split(".")[-1] in ("a", "b", "c", "r") for k in missing), (missing, unexpected)
            extra = {"init": spec["init"], "rampFraction": spec["ramp"]}
        history = train(model, name, spec, train_x, train_y, test_x, test_y, list(model.parameters()), spec["lr"],
                        epochs, args.batch, rng, teacher, start)
        if "init" in spec:
            extra["epochAccuracies"] = history

    smooth = models.smooth_layers(model)
    assert all(float(m.r) == 1.0 for m in smooth), "a smooth activation still mixes in a ReLU"
    acc = float(accuracy(model, test_x, test_y))
    os.makedirs(CHECKPOINTS, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(CHECKPOINTS, name + ".pt"))
    os.makedirs(MODELS, exist_ok=True)
    file = name + ".onnx"
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(MODELS, file), opset_version=13,
                      input_names=["image"], output_names=["logits"], do_constant_folding=True)
    if not architecture.endswith("-relu"):
        forbidden = HE_FORBIDDEN & set(onnx_operators(os.path.join(MODELS, file)))
        assert not forbidden, f"{file} contains {sorted(forbidden)}"
    manifest_path = os.path.join(MODELS, "manifest.json")
    manifest = {"models": []}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    previous = [m for m in manifest["models"] if m["name"] == name]
    if args.export_only:
        if not previous:
            sys.exit(f"--export-only: {name} has no manifest entry to keep")
        entry = dict(previous[0], plaintextAccuracy=round(acc, 4))
    else:
        entry = {
            "name": name,
            "architecture": architecture,
            "file": file,
            "dataset": spec["dataset"],
            "trainImages": len(train_x),
            "testImages": len(test_x),
            "plaintextAccuracy": round(acc, 4),
            "epochs": epochs,
            "seed": args.seed,
            "command": "/usr/bin/python3 testdata/training/train.py " + " ".join(sys.argv[1:]),
            "torch": torch.__version__,
            "trainingSeconds": round(time.time() - start),
            **extra,
        }
    manifest["models"] = [m for m in manifest["models"] if m["name"] != name] + [entry]
    manifest["models"].sort(key=lambda m: m["name"])
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    expected_logits.write(name, spec, model, MODELS)
    print(f"{name}: plaintext test accuracy {acc:.4f}; wrote {file} and the manifest entry")


if __name__ == "__main__":
    main()

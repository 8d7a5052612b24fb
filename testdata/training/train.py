"""Trains one model of the Ciphernet zoo, exports it to ONNX under testdata/models/ records it in
testdata/models/manifest.json (dataset, plaintext test accuracy, command, seed) and writes PyTorch's
logits for the first 20 test images to testdata/models/<model>.expected.json.

    /usr/bin/python3 testdata/training/train.py cryptonets --epochs 15 --seed 1

Models: cryptonets (MNIST); resnet-residual, resnet-shared, resnet-none (Drucker & Zimerman 2023,
Fashion-MNIST, trainable quadratic activations: with plain x**2 these ResNets diverged in training,
loss 2.73 and 13 % accuracy after one epoch); small-relu, small-square, small-quadratic, small-quadratic-kd
(the activation study of Chielle et al. 2025 and Baruch et al. 2022, Fashion-MNIST; quadratic
students train with the range penalty, -kd distils from small-relu, which must be trained first).
Training runs on the CPU; CIPHERNET_TRAIN_THREADS sets the thread count (default 2).

Seed 1 is the model the harness tables use and keeps the plain name; another seed S is saved as
<model>-seed<S> with "architecture": <model> in its manifest entry, for the harness's seed comparison.
Distilled students always learn from the seed-1 teacher.
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
}

PRIMARY_SEED = 1      # the seed whose model keeps the plain name
RANGE_BOUND = 4.0      # B of the range penalty
RANGE_WEIGHT = 1e-3    # zeta
KD_TEMPERATURE = 4.0
KD_WEIGHT = 0.5


def range_penalty(model):
    terms = [(x - x.clamp(-RANGE_BOUND, RANGE_BOUND)).abs().mean() for x in
             (q.last_input for q in models.quadratic_layers(model)) if x is not None]
    return sum(terms) if terms else torch.zeros(())


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), 1000):
            out = model(torch.from_numpy(images[i:i + 1000]))
            correct += (out.argmax(1).numpy() == labels[i:i + 1000]).sum()
    return correct / len(images)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", choices=sorted(SPECS))
    p.add_argument("--epochs", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--export-only", action="store_true",
                   help="re-export the saved checkpoint (after a change to the export) without training")
    args = p.parse_args()
    spec = SPECS[args.model]
    name = args.model if args.seed == PRIMARY_SEED else f"{args.model}-seed{args.seed}"
    epochs = args.epochs or spec["epochs"]
    torch.set_num_threads(int(os.environ.get("CIPHERNET_TRAIN_THREADS", "2")))
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_x, train_y = datasets.load(spec["dataset"], "train")
    test_x, test_y = datasets.load(spec["dataset"], "test")
    model = spec["build"]()
    teacher = None
    if "teacher" in spec:
        teacher = SPECS[spec["teacher"]]["build"]()
        teacher.load_state_dict(torch.load(os.path.join(CHECKPOINTS, spec["teacher"] + ".pt")))
        teacher.eval()
    quadratic = bool(models.quadratic_layers(model))
    opt = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    steps = epochs * ((len(train_x) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=spec["lr"], total_steps=steps)
    ce = nn.CrossEntropyLoss()
    start = time.time()
    if args.export_only:
        model.load_state_dict(torch.load(os.path.join(CHECKPOINTS, name + ".pt")))
        epochs = 0
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(train_x))
        total = 0.0
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
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
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"{name} epoch {epoch + 1}/{epochs}: loss {total / len(train_x):.4f}, "
              f"test accuracy {accuracy(model, test_x, test_y):.4f} ({time.time() - start:.0f} s)", flush=True)

    acc = float(accuracy(model, test_x, test_y))
    os.makedirs(CHECKPOINTS, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(CHECKPOINTS, name + ".pt"))
    os.makedirs(MODELS, exist_ok=True)
    file = name + ".onnx"
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(MODELS, file), opset_version=13,
                      input_names=["image"], output_names=["logits"], do_constant_folding=True)
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
            "architecture": args.model,
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

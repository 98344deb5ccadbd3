"""Data sets without downloads: scikit-learn digits (offline default), local CIFAR-10 and image folders."""

from .cifar import CIFAR10, read_cifar_batch, write_cifar_batch
from .common import CIFAR_MEAN, CIFAR_STD, IMAGENET_MEAN, IMAGENET_STD, DatasetError
from .digits import digits_datasets, digits_split
from .imagefolder import ImageFolder, load_image
from .loaders import DATASET_NAMES, Loaders, get_datasets, get_loaders

__all__ = [
    "CIFAR10",
    "CIFAR_MEAN",
    "CIFAR_STD",
    "DATASET_NAMES",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "DatasetError",
    "ImageFolder",
    "Loaders",
    "digits_datasets",
    "digits_split",
    "get_datasets",
    "get_loaders",
    "load_image",
    "read_cifar_batch",
    "write_cifar_batch",
]

"""Reference networks (digits CNN, VGG-8, DenseNet-40, ResNet-18), NeuroSim checkpoints and training."""

from .checkpoint import CheckpointError, load_neurosim_checkpoint, neurosim_key_map, neurosim_state_dict
from .densenet import DenseNet40, densenet40
from .digits import DigitsCNN, digits_cnn
from .registry import MODEL_NAMES, build_model
from .resnet import ResNet18, resnet18
from .train import DIGITS_WEIGHTS, TrainResult, evaluate_float, load_pretrained_digits, train_digits, train_float
from .vgg import VGG8, vgg8
from .wage import WageOutput, wage_after
from .wage_train import train_wage, wage_initialize

__all__ = [
    "DIGITS_WEIGHTS",
    "MODEL_NAMES",
    "VGG8",
    "CheckpointError",
    "DenseNet40",
    "DigitsCNN",
    "ResNet18",
    "TrainResult",
    "WageOutput",
    "build_model",
    "densenet40",
    "digits_cnn",
    "evaluate_float",
    "load_neurosim_checkpoint",
    "load_pretrained_digits",
    "neurosim_key_map",
    "neurosim_state_dict",
    "resnet18",
    "train_digits",
    "train_float",
    "train_wage",
    "vgg8",
    "wage_after",
    "wage_initialize",
]

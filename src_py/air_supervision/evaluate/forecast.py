"""Forecast evaluation"""

# TODO: forecast evaluation not written yet, the command exits with 2


def add_arguments(parser):
    pass


def run(args):
    return 2

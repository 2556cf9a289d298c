"""Command line of the offline evaluation"""

import argparse
import logging
import sys

from air_supervision.evaluate import anomaly
from air_supervision.evaluate import forecast


def main(argv: list[str] | None = None) -> int:
    parser = create_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING,
                        format='%(levelname)s %(name)s: %(message)s')
    return args.run(args)


def create_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='air-supervision-evaluate',
        description="Evaluate the anomaly models on series in the NAB "
                    "layout, or the forecast models on a readings file, "
                    "with the fitting policy of the live system")
    subparsers = parser.add_subparsers(required=True, metavar='FAMILY')

    anomaly_parser = subparsers.add_parser(
        'anomaly', help="NAB scores of an anomaly model")
    anomaly.add_arguments(anomaly_parser)
    anomaly_parser.set_defaults(run=anomaly.run)

    forecast_parser = subparsers.add_parser(
        'forecast', help="forecast errors of a forecast model")
    forecast.add_arguments(forecast_parser)
    forecast_parser.set_defaults(run=forecast.run)

    return parser


if __name__ == '__main__':
    sys.exit(main())

"""Offline evaluation of the models on labelled and recorded series"""

"""The YAML rule library: loading and validation, the compiled index, licence identification (Hub fields, LICENSE
fingerprints, API catalogue) and the rule example runner.
"""

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate LAVA job definitions with LAVA's own schema (Debian's
lava-common), as a LAVA server does when a job is submitted.

    lava-validate.py JOB.yaml...
"""
import sys

import yaml
from lava_common.schemas import validate

failed = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        job = yaml.safe_load(f)
    try:
        validate(job, strict=True)
    except Exception as e:  # voluptuous.Invalid and its kin
        print(f"    {path}: INVALID: {e}")
        failed += 1
    else:
        print(f"    {path}: valid ({job['device_type']}, {len(job['actions'])} actions)")
sys.exit(1 if failed else 0)

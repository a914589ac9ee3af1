#!/usr/bin/env python3
"""Writes runtime/src/bag_thresholds.rs: the thresholds of the voter bags list.

200 bags in a geometric progression from the vote weight of the existential deposit up to
u64::MAX, as pallet-bags-list's `generate_thresholds` builds them, for U128CurrencyToVote at the
expected total issuance. Run from the repository root after changing the existential deposit or
the expected issuance.
"""
import pathlib

U64_MAX = 2**64 - 1
ISSUANCE = 10**9 * 10**18  # expected total issuance: 10^9 AOS
EXISTENTIAL_DEPOSIT = 10**15  # 0.001 AOS, runtime/src/constants.rs
BAGS = 200

factor = max(ISSUANCE // U64_MAX, 1)  # U128CurrencyToVote's divisor
existential_weight = max(EXISTENTIAL_DEPOSIT // factor, 1)
ratio = (U64_MAX / existential_weight) ** (1 / (BAGS - 1))

thresholds = [existential_weight]
while len(thresholds) < BAGS - 1:
    thresholds.append(min(max(int(thresholds[-1] * ratio), thresholds[-1] + 1), U64_MAX))
thresholds.append(U64_MAX)
assert all(a < b for a, b in zip(thresholds, thresholds[1:])), "thresholds must ascend"

rows = "\n".join(
    "\t" + " ".join(f"{t:_}," for t in thresholds[i : i + 4]) for i in range(0, BAGS, 4)
)
pathlib.Path("runtime/src/bag_thresholds.rs").write_text(
    f"""//! Bag thresholds of the voter bags list.
//!
//! {BAGS} bags in a geometric progression (ratio {ratio:.5}) from the vote weight of the existential
//! deposit ({existential_weight}) to `u64::MAX`, the construction of pallet-bags-list's
//! `generate_thresholds`, for `U128CurrencyToVote` at a total issuance of 10^9 AOS. Regenerate
//! with `scripts/gen-bag-thresholds.py` if the existential deposit or the expected issuance
//! changes by an order of magnitude; the bags list moves accounts lazily when thresholds change.

/// Upper bounds of the bags, ascending.
pub const THRESHOLDS: [u64; {BAGS}] = [
{rows}
];
"""
)

"""Post-stratification and raking to known population counts, with the calibrated variance.

Calibration returns a `CalibratedDesign`: a `SurveyDesign` whose weights are the calibrated ones
and whose variance first replaces every score column by its residual from the design-weighted
regression on the calibration model matrix (dummies of the post-strata, or of every raking
margin). That is the linearised variance of the calibration estimator (Deville and Saerndal 1992;
Saerndal, Swensson and Wretman 1992, 6.6), and what R's survey package computes for
`postStratify` and `calibrate(calfun = "raking")`, so every estimator built on
`SurveyDesign.ratios` or `covariance` gives those answers unchanged. R's `rake()` approximates the
residuals by unweighted sweeps: it agrees where design weights are equal within a margin (the W3
oracle row) and differs slightly otherwise (tests/test_calibrate.py shows by how much).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from innobarometer.survey.design import SurveyDesign

# Margins must describe one population: totals that differ by more than this (relative) cannot be
# met together, and raking would cycle without converging.
MARGIN_TOTAL_TOLERANCE = 1e-9
ROWS_SHOWN = 5


class CalibrationError(ValueError):
    """Population counts that do not fit the sample, or raking that does not converge."""


@dataclass(frozen=True)
class CalibratedDesign(SurveyDesign):
    """A design with calibrated `weights`; its variance uses the calibration residuals.

    `base_weights`: the design weights before calibration (they weight the residual regression).
    `calibration_matrix`: (n, q) model matrix of the calibration (dummies per post-stratum or per
    category of every raking margin; collinear columns are allowed).
    """

    base_weights: np.ndarray | None = None
    calibration_matrix: np.ndarray | None = None
    _root_base: np.ndarray = field(init=False, repr=False)
    _basis: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        super().__post_init__()
        if self.base_weights is None or self.calibration_matrix is None:
            raise CalibrationError("a calibrated design needs base_weights and calibration_matrix")
        base = np.asarray(self.base_weights, dtype=float)
        model = np.asarray(self.calibration_matrix, dtype=float)
        if model.ndim == 1:
            model = model[:, None]
        if len(base) != self.n or len(model) != self.n:
            raise CalibrationError(
                f"base_weights ({len(base)}) and calibration_matrix ({len(model)} rows) must have "
                f"one row per unit ({self.n})"
            )
        if not np.all(np.isfinite(base)) or np.any(base <= 0):
            raise CalibrationError("base_weights must be finite and positive")
        root = np.sqrt(base)
        # An orthonormal basis of the weighted model space: projections are then two products,
        # and margins whose dummies are collinear (every raking margin sums to one) need no care.
        left, singular, _ = np.linalg.svd(root[:, None] * model, full_matrices=False)
        rank = int(np.sum(singular > singular.max() * max(model.shape) * np.finfo(float).eps))
        object.__setattr__(self, "base_weights", base)
        object.__setattr__(self, "calibration_matrix", model)
        object.__setattr__(self, "_root_base", root)
        object.__setattr__(self, "_basis", left[:, :rank])

    def calibration_residuals(self, scores: np.ndarray) -> np.ndarray:
        """Scores w*e replaced by w*(e - M b), b the base-weighted regression of e on M (n, k)."""
        scores = np.asarray(scores, dtype=float)
        if scores.ndim == 1:
            scores = scores[:, None]
        scaled = scores * (self._root_base / self.weights)[:, None]
        residual = scaled - self._basis @ (self._basis.T @ scaled)
        return residual * (self.weights / self._root_base)[:, None]

    def _scaled_deviations(self, scores: np.ndarray) -> np.ndarray:
        """As SurveyDesign's, on the calibration residuals.

        Both `covariance` and `variance` go through this one step, so neither can miss them.
        """
        return super()._scaled_deviations(self.calibration_residuals(scores))


def post_stratify(design: SurveyDesign, strata, population: Mapping) -> CalibratedDesign:
    """Weights scaled within each post-stratum so that they sum to its population count.

    `strata`: the post-stratum of each unit (combine several variables into one label first);
    `population`: post-stratum -> population count (a dict or a pandas Series). R's
    `postStratify`.
    """
    _check_not_calibrated(design)
    name = str(getattr(strata, "name", None) or "post-strata")
    codes, targets = _margin(name, strata, population, design)
    totals = np.bincount(codes, weights=design.weights, minlength=len(targets))
    weights = design.weights * (targets / totals)[codes]
    return _calibrated(design, weights, _dummies(codes, len(targets)))


def rake(
    design: SurveyDesign,
    margins,
    populations: Mapping[str, Mapping],
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> CalibratedDesign:
    """Raking (iterative proportional fitting) of the weights to every population margin.

    `margins`: a DataFrame (or mapping name -> values per unit) with one column per margin;
    `populations`: margin name -> (category -> population count). Converged when every weighted
    margin is within `tol` times the population total of its target; `CalibrationError` after
    `max_iter` sweeps without convergence.
    """
    _check_not_calibrated(design)
    if max_iter < 1 or not tol > 0:
        raise CalibrationError(f"max_iter ({max_iter}) and tol ({tol}) must be positive")
    margins = pd.DataFrame(margins)
    if len(margins) != design.n:
        raise CalibrationError(f"margins have {len(margins)} rows; the design has {design.n} units")
    missing = [name for name in margins.columns if name not in populations]
    extra = [name for name in populations if name not in margins.columns]
    if missing or extra or len(margins.columns) == 0:
        raise CalibrationError(
            f"margins {list(margins.columns)} and population margins {list(populations)} must "
            f"name the same variables (no population for {missing}, no sample column for {extra})"
        )
    coded = [
        _margin(str(name), margins[name], populations[name], design) for name in margins.columns
    ]
    population_totals = np.array([targets.sum() for _, targets in coded])
    if np.ptp(population_totals) > MARGIN_TOTAL_TOLERANCE * population_totals.max():
        described = ", ".join(
            f"{name} {total:g}" for name, total in zip(margins.columns, population_totals)
        )
        raise CalibrationError(
            f"population margins disagree on the population total ({described}); raking needs "
            "counts of one population: correct the margins so that each sums to the same total"
        )
    weights = design.weights.copy()
    for _ in range(max_iter):
        for codes, targets in coded:
            totals = np.bincount(codes, weights=weights, minlength=len(targets))
            weights *= (targets / totals)[codes]
        gap = max(
            np.abs(np.bincount(codes, weights=weights, minlength=len(targets)) - targets).max()
            for codes, targets in coded
        )
        if gap <= tol * population_totals.max():
            model = np.hstack([_dummies(codes, len(targets)) for codes, targets in coded])
            return _calibrated(design, weights, model)
    raise CalibrationError(
        f"raking on {list(margins.columns)} did not converge in {max_iter} sweeps (largest "
        f"margin gap {gap:g}, tolerance {tol * population_totals.max():g}): check that the "
        "margins can be met together, or raise max_iter"
    )


def _check_not_calibrated(design: SurveyDesign) -> None:
    """Calibrate from design weights: a second pass would drop the first one's residuals."""
    if isinstance(design, CalibratedDesign):
        raise CalibrationError(
            "the design is already calibrated: calibrate the original design once, raking on "
            "every margin together"
        )


def _calibrated(design: SurveyDesign, weights: np.ndarray, model: np.ndarray) -> CalibratedDesign:
    """The calibrated design: the same strata, PSUs and fpc, new weights, the model kept."""
    return CalibratedDesign(
        weights=weights,
        strata=design.strata,
        psu=design.psu,
        population=design.population,
        lonely_psu=design.lonely_psu,
        base_weights=design.weights,
        calibration_matrix=model,
    )


def _dummies(codes: np.ndarray, k: int) -> np.ndarray:
    """One indicator column per category code (n, k)."""
    return (codes[:, None] == np.arange(k)).astype(float)


def _margin(
    name: str, values, population: Mapping, design: SurveyDesign
) -> tuple[np.ndarray, np.ndarray]:
    """Category codes per unit and the population count of each code, checked against each other.

    Every sampled category needs a population count, and every category with a positive count
    needs sampled units (R's postStratify stops on both); zero-count categories absent from the
    sample are dropped.
    """
    values = design.per_unit(values, f"margin {name!r}")
    if values.isna().any():
        raise CalibrationError(
            f"margin {name!r} is missing for rows {_rows(values.isna())}: every unit needs a "
            "calibration category (impute it or add a category for unknown with its count)"
        )
    counts = pd.Series(population, dtype=float)
    if counts.index.has_duplicates:
        repeated = sorted(map(str, counts.index[counts.index.duplicated()].unique()))
        raise CalibrationError(f"margin {name!r}: population categories {repeated} appear twice")
    if counts.isna().any() or np.any(~np.isfinite(counts)) or np.any(counts < 0):
        raise CalibrationError(
            f"population counts of margin {name!r} must be finite and non-negative: "
            f"{counts.to_dict()}"
        )
    sampled = ~values.isin(counts.index)
    if sampled.any():
        unknown = sorted(map(str, values[sampled].unique()))
        raise CalibrationError(
            f"margin {name!r}: sample categories {unknown} (rows {_rows(sampled)}) have no "
            "population count; add their counts or recode them to a category that has one"
        )
    present = counts.index.isin(values.unique())
    unsampled = counts[~present & (counts > 0)]
    if len(unsampled):
        raise CalibrationError(
            f"margin {name!r}: population categories {unsampled.to_dict()} have no sampled "
            "unit; collapse each with a neighbouring category in both sample and population"
        )
    empty = counts[present & (counts == 0)]
    if len(empty):
        raise CalibrationError(
            f"margin {name!r}: categories {list(empty.index)} have sampled units but a "
            "population count of 0; correct the count or the units' category"
        )
    counts = counts[present]
    codes = pd.Index(counts.index).get_indexer(values)
    return codes.astype(np.int64), counts.to_numpy()


def _rows(mask: pd.Series) -> str:
    """The first few row positions where mask holds, for error messages."""
    rows = np.flatnonzero(mask.to_numpy())
    shown = ", ".join(map(str, rows[:ROWS_SHOWN]))
    return shown + (f" and {len(rows) - ROWS_SHOWN} more" if len(rows) > ROWS_SHOWN else "")

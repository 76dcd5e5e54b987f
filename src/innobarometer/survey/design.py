"""The survey design and its Taylor-linearised variance: the one primitive every estimator uses.

A design is weights, strata, primary sampling units (each unit its own PSU unless clusters are
given) and the population count of PSUs per stratum (finite population correction). Estimators turn
their statistic into influence values (scores) per unit; `SurveyDesign.covariance` turns a matrix of
scores into the design-based covariance of their totals, as R's `survey::svyrecvar` does for
one-stage designs (see docs/statistics.md, reproduced in tests/test_design.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

LONELY_PSU_RULES = ("adjust", "certainty", "fail")


class DesignError(ValueError):
    """A design that cannot give a variance (bad weights, a single-PSU stratum under 'fail')."""


def _codes(values) -> np.ndarray:
    """Integer codes 0..k-1 for any labels, in sorted label order (independent of row order)."""
    codes, _ = pd.factorize(pd.Series(values), sort=True)
    if (codes < 0).any():
        raise DesignError("design columns (strata, clusters) must not be missing")
    return codes.astype(np.int64)


def _srs_fpc(n: np.ndarray, big_n: np.ndarray) -> np.ndarray:
    """1 - n / N_hat: without replacement whether or not the design has an fpc, as R's deff=TRUE.

    NaN where the weights sum to less than the sample (no population to sample from), as R.
    """
    return np.where(big_n >= n, 1.0 - n / big_n, np.nan)


@dataclass(frozen=True)
class CellEstimates:
    """`SurveyDesign.cell_estimates`: (1 + cells, k) arrays, the union of the cells first."""

    estimate: np.ndarray
    variance: np.ndarray
    n: np.ndarray  # units with an answer
    df: np.ndarray  # PSUs with such a unit minus their strata
    population: np.ndarray  # their summed weights
    spread: np.ndarray | None = None  # sum w (y - mean)^2 over them, when asked for


@dataclass(frozen=True)
class SurveyDesign:
    """A one-stage stratified (optionally clustered) design with finite population correction.

    `weights`: sampling weights per unit. `strata`, `psu`: labels per unit (None: one stratum; each
    unit its own PSU). `population`: per unit, the number of PSUs in its stratum's population (N_h;
    None: sampling with replacement, no correction). `lonely_psu`: what a stratum with a single PSU
    contributes to the variance: 'adjust' (its PSU total counts as a deviation from zero, the
    grand mean of the scores of a mean or share, as R's survey.lonely.psu="adjust" does;
    conservative, the default), 'certainty' (nothing, as for a certainty unit) or 'fail' (raise,
    as R's default).
    """

    weights: np.ndarray
    strata: np.ndarray | None = None
    psu: np.ndarray | None = None
    population: np.ndarray | None = None
    lonely_psu: str = "adjust"
    _stratum: np.ndarray = field(init=False, repr=False)
    _psu: np.ndarray = field(init=False, repr=False)
    _psu_stratum: np.ndarray = field(init=False, repr=False)
    _n_h: np.ndarray = field(init=False, repr=False)
    _fpc_h: np.ndarray = field(init=False, repr=False)
    _order: np.ndarray = field(init=False, repr=False)
    _starts: np.ndarray = field(init=False, repr=False)
    _stratum_starts: np.ndarray = field(init=False, repr=False)
    _in_psu_order: bool = field(init=False, repr=False)

    def __post_init__(self):
        w = np.asarray(self.weights, dtype=float)
        if w.ndim != 1 or len(w) == 0:
            raise DesignError("weights must be a non-empty vector")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise DesignError("weights must be finite and positive")
        if self.lonely_psu not in LONELY_PSU_RULES:
            rules = ", ".join(LONELY_PSU_RULES)
            raise DesignError(f"lonely_psu must be one of {rules}, not {self.lonely_psu!r}")
        n = len(w)
        stratum = np.zeros(n, np.int64) if self.strata is None else _codes(self.strata)
        # PSU labels are only unique within a stratum (R's nest=TRUE): code the pair.
        psu_labels = np.arange(n) if self.psu is None else _codes(self.psu)
        psu = _codes(stratum * (psu_labels.max() + 1) + psu_labels)
        n_psu = psu.max() + 1
        psu_stratum = np.zeros(n_psu, np.int64)
        psu_stratum[psu] = stratum
        n_h = np.bincount(psu_stratum, minlength=stratum.max() + 1).astype(float)
        fpc_h = np.ones_like(n_h)
        if self.population is not None:
            pop = np.asarray(self.population, dtype=float)
            if len(pop) != n or not np.all(np.isfinite(pop)):
                raise DesignError("population counts must be given for every unit")
            big_n = np.zeros_like(n_h)
            big_n[stratum] = pop
            if np.any(big_n[stratum] != pop):  # else the last row would win, by row order
                varying = np.unique(np.asarray(self.strata)[big_n[stratum] != pop])[:3]
                raise DesignError(
                    f"the population count varies within strata {', '.join(map(str, varying))}: "
                    "give every unit of a stratum the same count"
                )
            if np.any(big_n < n_h):
                raise DesignError("a stratum has more sampled PSUs than its population count")
            fpc_h = 1.0 - n_h / big_n
        if self.lonely_psu == "fail" and np.any(n_h < 2):
            raise DesignError("a stratum has a single PSU and lonely_psu='fail'")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "_stratum", stratum)
        object.__setattr__(self, "_psu", psu)
        object.__setattr__(self, "_psu_stratum", psu_stratum)
        object.__setattr__(self, "_n_h", n_h)
        object.__setattr__(self, "_fpc_h", fpc_h)
        # Units sorted by PSU once, so PSU totals are one vectorised reduction for any scores.
        order = np.argsort(psu, kind="stable")
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_in_psu_order", bool(np.all(order == np.arange(n))))
        object.__setattr__(self, "_starts", np.flatnonzero(np.r_[True, np.diff(psu[order]) != 0]))
        # PSU codes follow stratum codes (coded as pairs above), so each stratum's PSUs are one
        # run and stratum sums are one reduceat (np.add.at is far slower on many columns).
        object.__setattr__(
            self, "_stratum_starts", np.searchsorted(psu_stratum, np.arange(len(n_h)))
        )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        weight: str = "weight",
        strata: str | None = "stratum",
        population: str | None = "stratum_population",
        psu: str | None = None,
        lonely_psu: str = "adjust",
    ) -> SurveyDesign:
        """The design of a harmonised frame (its default column names) or any other frame."""
        return cls(
            weights=frame[weight].to_numpy(dtype=float),
            strata=None if strata is None else frame[strata].to_numpy(),
            psu=None if psu is None else frame[psu].to_numpy(),
            population=None if population is None else frame[population].to_numpy(dtype=float),
            lonely_psu=lonely_psu,
        )

    @property
    def n(self) -> int:
        """Number of units (rows)."""
        return len(self.weights)

    def per_unit(self, values, what: str) -> pd.Series:
        """`values`, one per unit in the design's row order, as a Series indexed 0..n-1."""
        series = pd.Series(values).reset_index(drop=True)
        if len(series) != self.n:
            raise DesignError(
                f"{what} has {len(series)} values for a design of {self.n} units: give one value "
                "per row of the frame the design was made from"
            )
        return series

    def unit_mask(self, values, what: str) -> np.ndarray:
        """A boolean mask of the units from one value per unit; a missing value counts as False."""
        return self.per_unit(values, what).to_numpy(dtype=bool, na_value=False)

    @property
    def n_psu(self) -> int:
        """Number of primary sampling units."""
        return len(self._psu_stratum)

    @property
    def n_strata(self) -> int:
        """Number of strata."""
        return len(self._n_h)

    @property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: PSUs minus strata."""
        return self.n_psu - self.n_strata

    def domain_degrees_of_freedom(self, mask: np.ndarray) -> int:
        """PSUs with a unit in the domain minus the strata they fall in (R's svyby convention)."""
        return int(self.domains_degrees_of_freedom(np.asarray(mask, dtype=bool)[:, None])[0])

    def domains_degrees_of_freedom(self, masks: np.ndarray) -> np.ndarray:
        """`domain_degrees_of_freedom` of each column of a (n, k) boolean mask, in one pass."""
        touched = self.psu_totals(np.asarray(masks, dtype=float)) > 0
        n_psu = touched.sum(axis=0)
        strata_touched = np.logical_or.reduceat(touched, self._stratum_starts, axis=0)
        return n_psu - strata_touched.sum(axis=0)

    def psu_totals(self, scores: np.ndarray) -> np.ndarray:
        """Sum of each score column within each PSU: (n_psu, k); may share memory with scores."""
        scores = np.asarray(scores, dtype=float)
        if scores.ndim == 1:
            scores = scores[:, None]
        if len(self._starts) == len(scores):
            # Every unit its own PSU: nothing to add up (nor to reorder, in a frame sorted so).
            return scores if self._in_psu_order else scores[self._order]
        return np.add.reduceat(scores[self._order], self._starts, axis=0)

    def covariance(self, scores: np.ndarray) -> np.ndarray:
        """Design covariance of the totals of the score columns (k, k).

        V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - mean_h z)(z_hi - mean_h z)', where z_hi
        are PSU totals of the scores; strata with one PSU follow the `lonely_psu` rule.
        """
        weighted = self._scaled_deviations(scores)
        return weighted.T @ weighted

    def _scaled_deviations(self, scores: np.ndarray) -> np.ndarray:
        """PSU totals centred within strata and scaled so that covariance = D'D (n_psu, k)."""
        return self._deviations_of_totals(self.psu_totals(scores))

    def _deviations_of_totals(self, z: np.ndarray) -> np.ndarray:
        """`_scaled_deviations` of PSU totals z (n_psu, k) already formed; z may be overwritten."""
        h = self._psu_stratum
        n_h = self._n_h
        sums = np.add.reduceat(z, self._stratum_starts, axis=0)
        means = sums / n_h[:, None]
        # PSUs come in stratum runs: repeating each stratum's mean is a cheap broadcast.
        centred = z - np.repeat(means, n_h.astype(np.int64), axis=0)
        scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0) * self._fpc_h
        lonely = n_h[h] == 1
        if self.lonely_psu == "adjust" and lonely.any():
            centred[lonely] = z[lonely]
            scale = np.where(n_h == 1, self._fpc_h, scale)
        centred *= np.sqrt(scale[h])[:, None]
        return centred

    def variance(self, scores: np.ndarray) -> np.ndarray:
        """Design variance of the total of each score column (k,): the diagonal of `covariance`.

        Computed without the off-diagonal terms, so that many columns stay cheap.
        """
        weighted = self._scaled_deviations(scores)
        return np.einsum("ij,ij->j", weighted, weighted)

    def ratios(
        self, numerators: np.ndarray, denominators: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ratios sum(w*num_j) / sum(w*den_j) for each column j, and their joint covariance.

        The engine of every share, mean and domain estimate: a domain mean of y is the ratio with
        numerator y*d and denominator d (d = 1 in the domain and with an answer, else 0), so domains
        keep every unit in the design. Scores are w*(num - r*den)/sum(w*den) (Taylor linearisation).
        A column whose denominator totals zero gives NaN and zero variance.
        """
        estimates, scores = self.ratio_scores(numerators, denominators)
        return estimates, self.covariance(scores)

    def ratio_scores(
        self, numerators: np.ndarray, denominators: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ratios of `ratios` and their linearised scores (n, k), before any variance.

        For callers that need only variances (`variance(scores)`) of many ratios. A column whose
        denominator totals zero gives NaN and scores of zero.
        """
        num = np.asarray(numerators, dtype=float)
        den = np.asarray(denominators, dtype=float)
        if num.ndim == 1:
            num, den = num[:, None], den[:, None]
        den_total = self.weights @ den
        safe_total = np.where(den_total > 0, den_total, 1.0)
        estimates = (self.weights @ num) / safe_total
        # In place: one temporary of (n, k) for many indicators x domains.
        scores = estimates * den
        np.subtract(num, scores, out=scores)
        scores *= self.weights[:, None]
        scores /= safe_total
        empty = den_total <= 0
        estimates[empty] = np.nan
        scores[:, empty] = 0.0
        return estimates, scores

    def cell_estimates(
        self,
        values: np.ndarray,
        answered: np.ndarray,
        cells: np.ndarray,
        n_cells: int,
        ratio: bool = True,
        spread: bool = False,
    ) -> CellEstimates:
        """Ratios (or totals) of many columns in every cell of a partition, from weighted sums.

        `values` (n, k): 0 where not answered; `answered` (n, k): 1/0; `cells` (n,): each unit's
        cell 0..n_cells-1, or -1 outside every cell. Row 0 of each result is the union of the
        cells (a whole domain), row 1 + c cell c (a group). With `ratio`, the ratio of the
        weighted totals of values and answered (a share or mean); else the total of values.

        The Taylor variance needs, per stratum, only sums of w y and w a and (each unit its own
        PSU) of w^2 y^2, w^2 y a, w^2 a^2; with clusters, the sums of w y and w a per PSU. One
        sparse (strata or PSUs x cells, units) matrix of weights times the values forms them
        for every cell at once, instead of an (n, k) array of scores per cell; the same numbers
        as `ratio_scores` + `variance` to rounding. A calibrated design, whose variance needs
        the regression residuals of the unit scores, takes that row-level path.
        """
        # Row-major: the sparse products read each unit's row (a column-major copy per product).
        values = np.ascontiguousarray(values, dtype=float)
        answered = np.ascontiguousarray(answered, dtype=float)
        cells = np.asarray(cells, dtype=np.int64)
        if type(self)._scaled_deviations is not SurveyDesign._scaled_deviations:
            return self._cell_estimates_by_scores(values, answered, cells, n_cells, ratio, spread)
        w = self.weights
        unit_psus = len(self._starts) == self.n
        blocks = self._stratum if unit_psus else self._psu
        n_blocks = self.n_strata if unit_psus else self.n_psu
        inside = np.flatnonzero(cells >= 0)
        rows = blocks[inside] * n_cells + cells[inside]
        shape = (n_blocks * n_cells, self.n)
        weights = sparse.csr_matrix((w[inside], (rows, inside)), shape=shape)
        counts = sparse.csr_matrix((np.ones(len(inside)), (rows, inside)), shape=shape)

        def by_cell(matrix, columns):
            """(blocks, 1 + n_cells, k) sums, the union of the cells first."""
            sums = np.asarray(matrix @ columns).reshape(n_blocks, n_cells, -1)
            return np.concatenate([sums.sum(axis=1, keepdims=True), sums], axis=1)

        zero_one = not np.any((values != 0) & (values != 1))
        wy, wa = by_cell(weights, values), by_cell(weights, answered)
        answers = by_cell(counts, answered)  # answering units per block and cell
        n = answers.sum(axis=0)
        # Degrees of freedom: PSUs with an answering unit minus the strata they fall in.
        touched = answers > 0
        if unit_psus:
            df = n - touched.sum(axis=0)
        else:
            strata = np.logical_or.reduceat(touched, self._stratum_starts, axis=0)
            df = touched.sum(axis=0) - strata.sum(axis=0)
        numerator, population = wy.sum(axis=0), wa.sum(axis=0)
        if ratio:
            safe = np.where(population > 0, population, 1.0)
            result = estimate = numerator / safe
            # Means of values far from zero: the variance from values shifted by the union's
            # mean of each column, whose sums of squares hold no large common part (0/1 columns
            # need none, and keep their exact 0 and 1).
            if not zero_one:
                shift = estimate[0]
                values = values - shift * answered
                wy = by_cell(weights, values)
                estimate = wy.sum(axis=0) / safe
        else:
            safe, result, estimate = np.ones_like(population), numerator, np.zeros_like(population)
        if unit_psus:
            squared = weights.multiply(weights)  # w^2, same pattern
            sum_z = (wy - estimate * wa) / safe
            squares = by_cell(squared, values)  # sum w^2 y a = sum w^2 y (y is 0 unanswered)
            sum_zz = (
                squares if zero_one else by_cell(squared, values * values)
            ) - 2 * estimate * squares
            sum_zz += estimate**2 * by_cell(squared, answered)
            sum_zz /= safe**2
            n_h = self._n_h[:, None, None]
            lonely = n_h == 1
            scale = (
                np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0) * self._fpc_h[:, None, None]
            )
            centre = np.ones_like(n_h)
            if self.lonely_psu == "adjust":
                scale = np.where(lonely, self._fpc_h[:, None, None], scale)
                centre = np.where(lonely, 0.0, 1.0)
            variance = (scale * (sum_zz - centre * sum_z**2 / n_h)).sum(axis=0)
        else:
            z = ((wy - estimate * wa) / safe).reshape(n_blocks, -1)
            deviations = self._deviations_of_totals(z)
            variance = np.einsum("ij,ij->j", deviations, deviations).reshape(estimate.shape)
        spreads = None
        if spread:
            total = wy.sum(axis=0)
            mean = np.divide(total, population, out=np.zeros_like(total), where=population > 0)
            spreads = by_cell(weights, values * values).sum(axis=0) - mean * total
        empty = population <= 0
        if ratio:
            result[empty] = np.nan
        variance[empty] = 0.0
        return CellEstimates(result, np.maximum(variance, 0.0), n, df, population, spreads)

    def _cell_estimates_by_scores(
        self, values, answered, cells, n_cells, ratio, spread
    ) -> CellEstimates:
        """`cell_estimates` from each cell's unit scores (for designs that need the scores)."""
        results = []
        for cell in range(-1, n_cells):
            mask = (cells >= 0) if cell < 0 else (cells == cell)
            base = answered * mask[:, None]
            numerators = values * mask[:, None]
            if ratio:
                estimate, scores = self.ratio_scores(numerators, base)
            else:
                scores = self.weights[:, None] * numerators
                estimate = scores.sum(axis=0)
            population = self.weights @ base
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = (self.weights @ numerators) / population
            centred = (values - mean) * base
            results.append(
                (
                    estimate,
                    self.variance(scores),
                    base.sum(axis=0),
                    self.domains_degrees_of_freedom(base > 0),
                    population,
                    self.weights @ (centred * centred),
                )
            )
        estimate, variance, n, df, population, spreads = (np.array(p) for p in zip(*results))
        return CellEstimates(estimate, variance, n, df, population, spreads if spread else None)

    def srs_variance_of_mean(self, y: np.ndarray, mask: np.ndarray | None = None) -> float:
        """Variance of a mean under simple random sampling without replacement of the same size.

        The denominator of R's deff=TRUE: the weighted population variance of y over n, times
        (1 - n / N_hat), where N_hat is the sum of weights (in the domain, when `mask` is given).
        """
        d = np.ones(self.n, bool) if mask is None else np.asarray(mask, bool)
        return float(self.srs_variances_of_means(np.asarray(y, float)[:, None], d[:, None])[0])

    def srs_variances_of_means(self, values: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """`srs_variance_of_mean` of each column of values (n, k) over its mask (n, k), at once.

        Values outside a column's mask are ignored (they must be finite).
        """
        inside = np.asarray(masks, dtype=float)
        w = self.weights
        big_n = w @ inside
        n = inside.sum(axis=0)
        centred = np.asarray(values, dtype=float) * inside
        mean = (w @ centred) / big_n
        # Centred before squaring: sum w (y - mean)^2 over the mask, without cancellation.
        centred -= mean
        centred *= centred
        centred *= inside
        pop_var = (w @ centred) / big_n * n / (n - 1)
        return pop_var / n * _srs_fpc(n, big_n)

    @staticmethod
    def srs_variances_from_spread(spread, n, population) -> np.ndarray:
        """`srs_variances_of_means` from sum w (y - mean)^2, n and summed weights N_hat."""
        spread, n, big_n = (np.asarray(a, dtype=float) for a in (spread, n, population))
        return spread / big_n * n / (n - 1) / n * _srs_fpc(n, big_n)

    @staticmethod
    def srs_variances_of_shares(shares, n, population) -> np.ndarray:
        """`srs_variances_of_means` of 0/1 values from their shares, n and summed weights N_hat.

        For 0/1 values the weighted population variance is p (1 - p), so the formula needs no pass
        over the units: p (1 - p) n / (n - 1) / n * (1 - n / N_hat).
        """
        p, n, big_n = (np.asarray(a, dtype=float) for a in (shares, n, population))
        return p * (1 - p) / (n - 1) * _srs_fpc(n, big_n)

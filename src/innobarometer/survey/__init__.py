"""The statistics core: design-based estimates, intervals, disclosure control, comparisons,
regression and calibration. It imports nothing else of the project: what a survey code means
(don't know, not relevant, promoted, hindered) is an argument its callers pass from the codebook."""

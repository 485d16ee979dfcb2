"""
================================================
Ask/tell optimisation of a function
================================================

:class:`~sklearn_bayestune.BayesOptimizer` is the optimiser inside
:class:`~sklearn_bayestune.BayesTuneCV`, usable on anything that returns a
number: a simulation, a training script, a measurement. ``ask`` proposes a
point as a dict of parameters, ``tell`` records its value. Here it minimises
the Branin function, a standard 2-D test with three global minima of value
0.397887.
"""

# %%
# The loop
# --------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_bayestune import BayesOptimizer, Real


def branin(x1, x2):
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10


optimizer = BayesOptimizer(
    {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)},
    direction="minimize",
    random_state=0,
)
for _ in range(30):
    params = optimizer.ask()
    optimizer.tell(params, branin(params["x1"], params["x2"]))

print(f"best value {optimizer.best_value:.4f} at {optimizer.best_params}")

# %%
# Where it sampled
# ----------------
# The first ten points are the space-filling initial design (a scrambled
# Sobol set); after them, each point maximises the log expected improvement
# of the Gaussian-process surrogate. Once it has found one of the three global
# minima (white crosses), most later points refine it: at this budget the
# search exploits one basin rather than mapping all three.
points = optimizer.space.from_unit(optimizer.X_unit)
x1 = np.array([p["x1"] for p in points])
x2 = np.array([p["x2"] for p in points])
values = optimizer.values

g1, g2 = np.meshgrid(np.linspace(-5, 10, 200), np.linspace(0, 15, 200))
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
contours = left.contourf(g1, g2, np.log(branin(g1, g2)), levels=30, cmap="viridis")
fig.colorbar(contours, ax=left, label="log Branin")
order = left.scatter(x1, x2, c=np.arange(len(x1)), cmap="autumn", edgecolor="k")
fig.colorbar(order, ax=left, label="evaluation")
minima = np.array([[-np.pi, 12.275], [np.pi, 2.275], [9.42478, 2.475]])
left.scatter(*minima.T, marker="x", color="white", s=80)
left.set_xlabel("x1")
left.set_ylabel("x2")

right.plot(np.arange(1, len(values) + 1), np.minimum.accumulate(values), "o-")
right.axhline(0.397887, color="gray", linestyle="--", label="global minimum")
right.set_yscale("log")
right.set_xlabel("evaluations")
right.set_ylabel("best value so far")
right.legend()
plt.show()

# %%
# :func:`~sklearn_bayestune.minimize` runs the same loop in one call, in the
# style of ``scipy.optimize.minimize``, and returns an ``OptimizeResult``.

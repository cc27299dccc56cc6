#!/usr/bin/python3
"""bench/clv_scipy.py SUMMARY.csv REPEATS - the scipy baseline of
bench_analytics.cpp: the BG/NBD and Gamma-Gamma log-likelihoods on the
CDNOW summary (ID,x,t_x,T,zbar), written with numpy and scipy.special as
an analyst would (the form lifetimes uses), minimised by
scipy.optimize.minimize over the logarithms of the parameters, both with
Nelder-Mead (lifetimes' choice) and with BFGS (scipy's default). Loading
is not timed. Prints the median seconds of the faster method, its name,
and r and gamma as fitted."""
import statistics
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln


def bg_nbd_nll(log_params, x, t_x, T):
    r, alpha, a, b = np.exp(log_params)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(alpha + t_x), -np.inf)
    return -np.sum(A1 + A2 + np.logaddexp(A3, A4))


def gamma_gamma_nll(log_params, x, m):
    p, q, g = np.exp(log_params)
    px = p * x
    return -np.sum(gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
                   + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + x * m))


def fit(method, x, t_x, T, xr, mr):
    bg = minimize(bg_nbd_nll, np.zeros(4), args=(x, t_x, T), method=method,
                  options={"maxiter": 20000} if method == "Nelder-Mead" else {})
    gg = minimize(gamma_gamma_nll, np.array([0.0, 0.0, np.log(mr.mean())]), args=(xr, mr),
                  method=method, options={"maxiter": 20000} if method == "Nelder-Mead" else {})
    return np.exp(bg.x), np.exp(gg.x)


def main():
    path, repeats = sys.argv[1], int(sys.argv[2])
    data = np.genfromtxt(path, delimiter=",", names=True)
    x, t_x, T, m = data["x"], data["t_x"], data["T"], data["zbar"]
    xr, mr = x[x > 0], m[x > 0]
    best = None
    for method in ("Nelder-Mead", "BFGS"):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            bg, gg = fit(method, x, t_x, T, xr, mr)
            times.append(time.perf_counter() - t0)
        median = statistics.median(times)
        if best is None or median < best[0]:
            best = (median, method, bg[0], gg[2])
    print(best[0], best[1], best[2], best[3])


if __name__ == "__main__":
    main()

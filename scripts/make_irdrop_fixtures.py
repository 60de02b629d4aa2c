#!/usr/bin/python3
"""Golden outputs for the nodal IR-drop solve (src/crossbar/nodal.ts), made independently with SciPy.

Run with Debian's python3-scipy:

    /usr/bin/python3 scripts/make_irdrop_fixtures.py     # writes test/crossbar/fixtures/irdrop.json

Each case is a crossbar netlist written out element by element (device between row node and column
node, row-wire segments from the driver at column 0, column-wire segments to the sense amplifier at
virtual ground next to row 0), assembled as a conductance matrix with scipy.sparse and solved with
scipy.sparse.linalg.spsolve for the given inputs. The outputs are the currents into the sense
amplifiers, I_j = G_c * V(C_0j). Ideal rows (G_r = inf) connect each device straight to its input.
Conductances in units of g_max, voltages in units of full-scale input.
"""
import json
import os

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def solve(g, x, Gc, Gr):
    n, P = g.shape
    ideal_rows = not np.isfinite(Gr)
    col = {}  # (i, j) -> node index
    row = {}
    k = 0
    for i in range(n):
        for j in range(P):
            col[(i, j)] = k
            k += 1
            if not ideal_rows:
                row[(i, j)] = k
                k += 1
    N = k
    A = sp.lil_matrix((N, N))
    b = np.zeros(N)

    def between(p, q, G):
        A[p, p] += G
        A[q, q] += G
        A[p, q] -= G
        A[q, p] -= G

    def to_source(p, G, v):  # element from node p to a fixed voltage v
        A[p, p] += G
        b[p] += G * v

    for i in range(n):
        for j in range(P):
            c = col[(i, j)]
            if ideal_rows:
                to_source(c, g[i, j], x[i])
            else:
                r = row[(i, j)]
                between(r, c, g[i, j])
                if j == 0:
                    to_source(r, Gr, x[i])
                else:
                    between(row[(i, j - 1)], r, Gr)
            if i == 0:
                to_source(c, Gc, 0.0)  # sense amplifier at virtual ground
            else:
                between(col[(i - 1, j)], c, Gc)
    V = spla.spsolve(A.tocsc(), b)
    return [Gc * V[col[(0, j)]] for j in range(P)]


def case(name, n, P, Gc, Gr, seed):
    rng = np.random.default_rng(seed)
    g = rng.uniform(0.05, 1.0, size=(n, P))
    x = rng.uniform(-1.0, 1.0, size=n)
    return {
        'name': name, 'rows': n, 'cols': P, 'colWire': Gc, 'rowWire': None if not np.isfinite(Gr) else Gr,
        'g': g.ravel().tolist(), 'x': x.tolist(), 'ideal': (g.T @ x).tolist(), 'outputs': solve(g, x, Gc, Gr),
    }


def main():
    cases = [
        case('6x4 row and column wires', 6, 4, 20.0, 15.0, 1),
        case('8x3 ideal rows', 8, 3, 30.0, float('inf'), 2),
        case('32x6 aihwkit ratio 1/(0.35 ohm * 5 uS), row wires', 32, 6, 1 / (0.35 * 5e-6), 1 / (0.35 * 5e-6), 3),
        case('64x2 strong drop, ideal rows', 64, 2, 200.0, float('inf'), 4),
    ]
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'crossbar', 'fixtures', 'irdrop.json')
    with open(out, 'w') as f:
        json.dump({'generator': f'scripts/make_irdrop_fixtures.py (scipy {scipy.__version__}, spsolve)', 'cases': cases}, f)
        f.write('\n')
    print('wrote', os.path.normpath(out))


if __name__ == '__main__':
    main()

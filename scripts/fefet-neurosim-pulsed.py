#!/usr/bin/python3
"""FeFET pulse response of NeuroSim V2.1 (Training_pytorch) as aihwkit soft-bounds parameters.

NeuroSim V2.1 (train.py) sets max_level = 32, nonlinearityLTP = 1.75, nonlinearityLTD = 1.46,
c2cVari = 0.003 for its FeFET synapse, and (utee/wage_quantizer.py) moves a weight w in [-1, 1] along

    w(P) = B·(1 − exp(−P/A)) − 1,   A = GetParamA(NL)·max_level,   B = 2 / (1 − exp(−max_level/A))

GetParamA(NL) looks up data[int(|NL|·100) − 1] in a table; the two entries used are copied below
(data[174] for NL 1.75, data[145] for NL 1.46). For depression this file uses the mirror image
w(P) = 1 − B_d·(1 − exp(−P/A_d)) (MLP_NeuroSim's LTD curve).

One pulse of that curve is a soft-bounds step: w' − b = (w − b)·exp(−1/A) with b = B − 1, i.e.
Δw_up = (1 − exp(−1/A))·(b_max − w) = dw_up·(1 − w/b_max) with dw_up = (1 − exp(−1/A))·b_max —
aihwkit's SoftBoundsDevice with gamma = 1. Likewise down, with b_min = 1 − B_d.
The c2c term (wage_quantizer.W) adds N(0, 2·c2cVari) to an updated weight: σ = 0.006 weight units,
additive.

Writes test/device/fixtures/fefet-neurosim.json (the parameters and the LTP/LTD curves at P = 0…32)
and prints the profile values. Run: /usr/bin/python3 scripts/fefet-neurosim-pulsed.py
"""
import json
import math
import os

MAX_LEVEL = 32
NL_LTP, NL_LTD = 1.75, 1.46
C2C = 0.003
# wage_quantizer.GetParamA's table, the entries int(|NL|·100) − 1 for NL = 1.75 and 1.46
TABLE = {174: 0.702081, 145: 0.848677}


def param_a(nl):
    return TABLE[int(abs(nl) * 100) - 1] * MAX_LEVEL


def main():
    a_up, a_down = param_a(NL_LTP), param_a(NL_LTD)
    b_up = 2 / (1 - math.exp(-MAX_LEVEL / a_up))
    b_down = 2 / (1 - math.exp(-MAX_LEVEL / a_down))
    w_max = b_up - 1
    w_min = 1 - b_down
    dw_up = (1 - math.exp(-1 / a_up)) * w_max
    dw_down = (1 - math.exp(-1 / a_down)) * -w_min
    # aihwkit's PulsedRPUDevice::populate: up_down > 0 keeps the up step at dw_min and shrinks the
    # down step to dw_min·(1 − up_down); up_down < 0 shrinks the up step to dw_min·(1 + up_down)
    dw_min = max(dw_up, dw_down)
    up_down = (dw_up - dw_down) / dw_min
    sigma = 2 * C2C
    ltp = [b_up * (1 - math.exp(-p / a_up)) - 1 for p in range(MAX_LEVEL + 1)]
    ltd = [1 - b_down * (1 - math.exp(-p / a_down)) for p in range(MAX_LEVEL + 1)]
    out = {
        "source": "NeuroSim DNN_NeuroSim_V2.1 Training_pytorch (train.py, utee/wage_quantizer.py); scripts/fefet-neurosim-pulsed.py",
        "A_LTP": a_up, "A_LTD": a_down, "B_LTP": b_up, "B_LTD": b_down,
        "wMax": w_max, "wMin": w_min, "dwUp": dw_up, "dwDown": dw_down,
        "dwMin": dw_min, "upDown": up_down, "c2cSigma": sigma, "dwMinStd": sigma / dw_min,
        "ltp": ltp, "ltd": ltd,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "test", "device", "fixtures", "fefet-neurosim.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for k in ["A_LTP", "A_LTD", "wMax", "wMin", "dwUp", "dwDown", "dwMin", "upDown", "c2cSigma", "dwMinStd"]:
        print(f"{k} = {out[k]:.8g}")


if __name__ == "__main__":
    main()

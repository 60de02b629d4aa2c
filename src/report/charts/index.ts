/** Every chart registers itself by being imported here (order = order in the report). */
import './robustness.js';
import './drift.js';
import './params-vs-k.js';
import './param-distributions.js';
import './codesign.js';
import './energy-accuracy.js';
import './codesign-calibration.js';
import './device.js';

# Dev-time generator for the plain-pickle scaler test files (tests never run Python). Fake numpy/sklearn modules
# stand in for the real ones: pickle only records module and class names, so the bytes match what numpy's own
# __reduce__ emits (ndarray via numpy.core.multiarray._reconstruct + __setstate__, dtype via numpy.dtype + state).
# Run: python3 make_pickles.py  (writes *.pkl beside this file)
import pickle, struct, sys, types, os

def module(name):
    m = types.ModuleType(name); sys.modules[name] = m; return m

np = module('numpy'); core = module('numpy.core'); ma = module('numpy.core.multiarray')
np.core = core; core.multiarray = ma
sk = module('sklearn'); pre = module('sklearn.preprocessing'); data = module('sklearn.preprocessing._data')

def _reconstruct(*a): pass
_reconstruct.__module__ = 'numpy.core.multiarray'; ma._reconstruct = _reconstruct
def scalar(*a): pass
scalar.__module__ = 'numpy.core.multiarray'; ma.scalar = scalar

class ndarray: pass
ndarray.__module__ = 'numpy'; np.ndarray = ndarray

class dtype:
    def __init__(self, code, order): self.code = code; self.order = order
    def __reduce__(self): return (dtype, (self.code, False, True), (3, self.order, None, None, None, -1, -1, 0))
dtype.__module__ = 'numpy'; np.dtype = dtype

class Arr:
    def __init__(self, values, code, order='<'): self.values = values; self.code = code; self.order = order
    def __reduce__(self):
        dt = dtype(self.code, self.order)
        if self.code == 'O8':
            raw = list(self.values)
        else:
            fmt = ('<' if self.order == '<' else '>') + 'd' * len(self.values)
            raw = struct.pack(fmt, *self.values)
        return (_reconstruct, (ndarray, (0,), b'b'), (1, (len(self.values),), dt, False, raw))

class Scalar:
    def __init__(self, v): self.v = v
    def __reduce__(self): return (scalar, (dtype('i8', '<'), struct.pack('<q', self.v)))

class StandardScaler:
    pass
StandardScaler.__module__ = 'sklearn.preprocessing._data'; data.StandardScaler = StandardScaler

def scaler(order='<'):
    s = StandardScaler()
    s.with_mean = True; s.with_std = True; s.copy = True
    s.feature_names_in_ = Arr(['a', 'b', 'c'], 'O8', '|')
    s.n_features_in_ = 3
    s.n_samples_seen_ = Scalar(1234)
    s.mean_ = Arr([1.5, -2.25, 1e-300], 'f8', order)
    s.var_ = Arr([4.0, 0.25, 9.0], 'f8', order)
    s.scale_ = Arr([2.0, 0.5, 3.0], 'f8', order)
    s._sklearn_version = '1.2.1'
    return s

here = os.path.dirname(os.path.abspath(__file__))
for proto in (2, 4, 5):
    with open(os.path.join(here, f'plain_scaler_p{proto}.pkl'), 'wb') as f: pickle.dump(scaler(), f, protocol=proto)
with open(os.path.join(here, 'plain_scaler_p0.pkl'), 'wb') as f: pickle.dump(scaler(), f, protocol=0)
with open(os.path.join(here, 'plain_scaler_bigendian.pkl'), 'wb') as f: pickle.dump(scaler('>'), f, protocol=2)

class Evil:
    def __reduce__(self): return (os.system, ('echo pwned',))
s = scaler(); s.mean_ = Evil()
with open(os.path.join(here, 'evil_scaler.pkl'), 'wb') as f: pickle.dump(s, f, protocol=4)

class MinMaxScaler: pass
MinMaxScaler.__module__ = 'sklearn.preprocessing._data'; data.MinMaxScaler = MinMaxScaler
m = MinMaxScaler(); m.min_ = 1
with open(os.path.join(here, 'minmax_scaler.pkl'), 'wb') as f: pickle.dump(m, f, protocol=4)

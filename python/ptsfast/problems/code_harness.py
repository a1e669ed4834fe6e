"""The program that judges a solution by its tests, run by the sandbox (never imported): see
:meth:`ptsfast.problems.code_tests.TestProgram.program`, which puts ``_SPEC`` (the tests, as JSON) and ``_CODE``
(the solution) before it. Plain standard-library Python; every failure raises, so the runner exits non-zero
without its nonce."""

def _ptsfast_judge(spec, code):
    import _thread, builtins, json, os, sys, types
    lock = _thread.allocate_lock()  # for the tests' stand-ins (made before the solution can replace the maker)
    for name in ("_SPEC", "_CODE"):  # from here on only in this frame: the harness's globals hold no test
        globals().pop(name, None)
    spec = json.loads(spec)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # one thread: fits RLIMIT_AS
        os.environ.setdefault(var, "1")
    fmt = spec["format"]
    _ptsfast_own_processes()  # the solution's processes cannot read this one's memory (the nonce, the tests)
    if fmt in ("stdio", "call"):  # the solution runs in processes of its own
        return (_ptsfast_stdio if fmt == "stdio" else _ptsfast_call_process)(spec, code)
    missing = object()
    for name, v in list(globals().items()):  # a class is reachable (object.__subclasses__()), and so its methods'
        if isinstance(v, type):  # globals, the harness's: only the formats above use them
            del globals()[name]
    import gc
    gc.collect()
    bare = _ptsfast_bare
    # what reaches descriptors 1 and 2 other than through print (os.write(1, ...), a child's output) is bounded too,
    # as print's is: megabytes of it filled the sandbox's output limit, which failed right programs (the runner's
    # verdict goes through copies of its own). print's go through copies, and unittest's report too (past the bound).
    # One bound in bytes for them all, sys.__stdout__ included (a flood through it, or 256k characters of four bytes
    # each printed, filled the sandbox's output limit past the bounds each stream had in characters)
    real = [open(os.dup(k), "w", encoding=f.encoding, errors=f.errors, buffering=1)
            for k, f in ((1, sys.stdout), (2, sys.stderr))]
    left = [1 << 18]
    quiet = bare(_ptsfast_drained)(real[0].fileno(), _thread.allocate_lock(), _thread.start_new_thread, left)
    streams = [bare(_ptsfast_bounded)(real[k - 1], left, k, n) for k, n in ((1, "<stdout>"), (2, "<stderr>"))]
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__ = streams
    harness = [v.__code__ for v in list(globals().values()) if isinstance(v, types.FunctionType)]
    roots = _ptsfast_library_roots()
    windows = bare(_ptsfast_signal_guard)()

    # async tests run on asyncio's loop and tasks: a solution that swaps them would swallow a test's failure
    runners = (["unittest"] if fmt == "unittest" else []) + (["asyncio"] if "async def" in spec["tests"] else [])
    # datetime's and time's strptime import _strptime at their first call: loaded now, it is watched as the others are
    for name in spec["imports"] + runners + (["_strptime"] if "strptime" in spec["tests"] else []):
        try:  # loaded now so that the solution cannot swap them before the tests import them
            __import__(name)
        except BaseException:
            pass  # the tests' own import reports it
    try:  # the context the tests' Decimal arithmetic runs in, kept apart from the solution's (_ptsfast_call_window)
        import decimal
    except ImportError:
        decimal = None
    if fmt == "unittest":  # before the snapshot below: the guard is watched as unittest's own code is
        bare(_ptsfast_stop_guard)()
    # HumanEval's and MBPP's harnesses run the tests in the solution's namespace; here MBPP's setup code runs there
    # (the solution may use what it defines) and the tests in a copy made after it, as pytest's and unittest's do:
    # the solution's functions cannot read the tests' expected values from their globals, nor swap their helpers
    shared = fmt in ("humaneval", "script")
    setup = compile(spec["setup"], "test_setup.py", "exec") if shared else None
    # the checks the rewritten tests call, as stand-ins in their code's constants (no name of theirs the solution
    # could rebind between two reads, a finalizer swapping __ptsfast_compare__ for one that holds); the real checks,
    # made below, are filled in before the solution runs
    checks = dict.fromkeys(("plain", "compare", "pair", "around", "classes", "touched"))
    hidden = bare(_ptsfast_hidden)(checks, _thread.allocate_lock())
    tests, rewritten = _ptsfast_guarded(spec["tests"] if shared else spec["setup"] + "\n" + spec["tests"],
                                        "test_solution.py", checks=hidden)
    test_code = _ptsfast_nested_codes([c for c in (setup, tests) if c is not None])  # the tests' code objects
    names = set().union(*(c.co_names for c in test_code))  # every name they use
    solution = types.ModuleType("solution")
    # the wrappers of the solution's functions that the tests call, with the checks as constants of their code (a
    # closure's cells can be set, and a finalizer set one between two reads: the next call ran outside the window)
    # True while the tests' data is held anyway (a call of the solution's under way, or held since one of its
    # operators ran outside its calls): what lets those operators skip the hold (_ptsfast_call_window's touched())
    holding = [False]
    makers = bare(_ptsfast_wrappers)(_PTSFAST_WRAPPERS, hidden, vars(solution), "StopIteration" in names,
                                     not rewritten, holding)
    harness.extend(_ptsfast_nested_codes([f.__code__ for f in makers.values()]))
    # the modules the tests use by the solution's names for them (MBPP's asserts run in its namespace: its import
    # numpy as np gives them np), loaded now to be watched as their own imports are
    modules = _ptsfast_modules_named("" if spec.get("as_text") else _ptsfast_source(spec, code),
                                     set.difference(*_ptsfast_global_names(test_code))) \
        if shared or "solution" not in names else {}
    called = _ptsfast_import_reached(spec["setup"] + "\n" + spec["tests"], aliases=modules)
    # sys is left out: tests legitimately swap sys.stdout and the like. Of the modules the tests import and their
    # classes, what can be called is watched, and the values the tests name (math.pi); their loaded submodules
    # (numpy.testing, _pytest's approx) for what can be called; every watched function also for its code (replacing
    # f.__code__ keeps f). Other values are the libraries' own state, set as they run (tempfile._name_sequence and
    # tempfile.tempdir on first use, mimetypes.inited).
    tops = [n for n in dict.fromkeys(spec["imports"] + runners + list(modules.values()) + called)
            if n in sys.modules and n != "sys"]
    if "pytest" in tops and "_pytest" in sys.modules:  # pytest.approx, pytest.raises: classes of _pytest's modules
        tops.append("_pytest")
    watched = [("builtins", builtins, False)] + [(n, sys.modules[n], False) for n in tops]
    for n, m in list(sys.modules.items()):
        if m is not None and any(n.startswith(t + ".") for t in tops):
            watched.append((n, m, True))
    # and every other library module loaded now (what the tests' libraries call in turn: unittest's assertCountEqual
    # compares collections.Counter objects), for what can be called and the modules it names (unittest.case's
    # collections), so that none is swapped for the rest of the run
    known, extras = {id(m) for _, m, _ in watched}, set()  # extras: checked at the end only (a check after every
    # value the tests read costs ~1 us per 100 names)
    for n, m in list(sys.modules.items()):
        if isinstance(m, types.ModuleType) and id(m) not in known and n not in ("sys", "__main__") and (
                getattr(getattr(m, "__spec__", None), "origin", None) in ("built-in", "frozen")
                or _ptsfast_library_code(getattr(m, "__file__", None), roots)):
            watched.append((n, m, True))
            extras.add(n)
    snapshot, grown, data = [], [], set()  # grown: (name, class, the keys of its own namespace); data: ids of the
    # copies of modules' data, which the libraries set themselves as they run (tempfile.tempdir, on first use): there
    # only a value of the solution's, or of another type than the one it replaces, is refused (retyped below)
    # and a class's constants (pytest.approx's DEFAULT_RELATIVE_TOLERANCE, which the solution could set to 1)
    constants = (int, float, bool, str, bytes, type(None), tuple) + ((sys.modules["decimal"].Decimal,)
                                                                     if "decimal" in sys.modules else ())
    for key, m, callables in watched:
        d = vars(m)
        copy = {k: v for k, v in d.items() if callable(v) or isinstance(v, types.ModuleType) or (
            not callables and k in names)}
        snapshot.append((key, d, copy, m))
        if m is not builtins:  # and its data, which its functions read (re's _cache of compiled patterns, swapped
            # for a mapping that gives one matching anything, made every re.match and assertRegex hold)
            held = {k: v for k, v in d.items() if k not in copy and not (k[:2] == "__" == k[-2:])}
            snapshot.append((key, d, held, None))
            data.add(id(held))
        for k, v in list(d.items()):
            if isinstance(v, type) and getattr(v, "__module__", None) == m.__name__ and m is not builtins:
                snapshot.append((key + "." + k, v.__dict__, {a: w for a, w in v.__dict__.items() if callable(w) or
                                                             isinstance(w, property) or a in names or (
                    a.isupper() and type(w) in constants)}, None))
                grown.append((key + "." + k, v, frozenset(v.__dict__)))
                if key in extras:
                    extras.add(key + "." + k)
    # a library's own instance behind its module's functions (random.randint and random.choice are methods of
    # random's Random, which they reach in turn through the instance: self._randbelow): one set on the instance
    # shadows its class's (a _randbelow of the solution's that gives 0 drew 'aaaa...' for every string the tests
    # asked for). What its class defines and the instance does not hold is kept as missing: one set there is seen
    instances, behind = {}, {}  # id(instance dict): its snapshot entry; behind: those whose functions the tests use
    # and an instance a library's module holds as its data (json.loads decodes with json._default_decoder): its decode
    # or scan_once set on it, or its class swapped, answered as the solution liked. Checked at the end (a library
    # module holds a thousand such instances), and at each value read where a function the tests use reads it
    data_instances = {}  # (module, name): (its snapshot entry, (where, instance, its class))
    # and, of an instance whose class's code never changes it once made (no method but __init__ sets an attribute:
    # json's JSONEncoder, not random's Random or logging's Logger), the plain values it holds: sort_keys set on
    # json._default_encoder made json.dumps() of a dict in the wrong order the tests' text
    import dis
    setters = {dis.opmap["STORE_ATTR"], dis.opmap["DELETE_ATTR"]}

    def settled(cls):
        for c in cls.__mro__[:-1]:
            if c.__module__ == "builtins":  # a builtin base (a dict's): its own methods change it unseen
                return False
            for a, f in vars(c).items():
                fs = [f.fget, f.fset, f.fdel] if type(f) is property else [
                    f.__func__ if type(f) in (staticmethod, classmethod) else f]
                for f in fs:
                    if a in ("__init__", "__new__", "__init_subclass__") or type(f) is not types.FunctionType:
                        continue
                    codes = _ptsfast_nested_codes([f.__code__])
                    if any(op in setters for code in codes for op in code.co_code[::2]) or any(
                            n in ("setattr", "delattr", "__dict__") for code in codes for n in code.co_names):
                        return False
        return True

    classes_kept = []  # (where, instance, its class): its class swapped for one of the solution's is refused too
    classes_at_end = {}  # id(instance dict): (where, instance, its class), of the instances held as data only
    for key, m, callables in watched:
        if key in extras:
            continue
        for k, v in list(vars(m).items()):
            bound = type(v) in (types.MethodType, types.BuiltinMethodType)
            inst = getattr(v, "__self__", None) if bound else v if not (
                callable(v) or isinstance(v, types.ModuleType) or type(v).__module__ == "builtins") else None
            try:
                d = object.__getattribute__(inst, "__dict__") if inst is not None and not isinstance(
                    inst, (type, types.ModuleType)) else None
            except Exception:  # none (slots), or a proxy's own __dict__ that fails
                d = None
            if type(d) is not dict:
                continue
            if id(d) not in instances:
                copy = {a: w for a, w in d.items() if callable(w)}
                if settled(type(inst)):  # a configuration (json's default encoder): its settings are kept too
                    copy.update((a, w) for a, w in d.items() if a not in copy and type(w) in constants)
                for c in type(inst).__mro__[:-1]:
                    copy.update((a, missing) for a, w in vars(c).items() if a not in d and a[:2] + a[-2:] != "____"
                                and (callable(w) or isinstance(w, (staticmethod, classmethod))))
                where = key + "." + k if not bound else next(
                    (key + "." + a for a, w in vars(m).items() if w is inst), key + "." + k + ".__self__")
                instances[id(d)] = (where, d, copy, None)
                snapshot.append(instances[id(d)])
                classes_at_end[id(d)] = (where, inst, type(inst))
            if bound and id(d) in classes_at_end:
                classes_kept.append(classes_at_end.pop(id(d)))
            if k in names and bound:
                behind[id(d)] = instances[id(d)]
            elif not bound:
                data_instances[(key, k)] = (instances[id(d)], (instances[id(d)][0], inst, type(inst)))
    # and the generators the tests draw from through those functions (random.randint, np.random.randint): one put in
    # a state no seed gives (every word zero: every number drawn the lowest, every string the tests drew 'aaaa...')
    # fails the verdict at the next value read. Seeding them is the solution's business (seed(42) is a state too)
    # and re's caches of compiled patterns (re._cache; re._cache2 on Python 3.12+), which every re.match reads first:
    # an entry the solution put there (the tests' '[0-9]+' compiled from '.*', or _sre.compile given other code) made
    # every re.fullmatch of the tests hold. Each entry must be what compiling its key gives; checked at the end, and
    # at each value read where the tests use re
    regexes = bare(_ptsfast_regex_caches)(sys.modules.get("re"), sys.modules.get("_strptime"))
    regexes_read = "re" in tops or "_strptime" in sys.modules and "strptime" in spec["tests"]
    # and numpy's float limits, which tests take tolerances from (np.finfo(float).eps), as sys.float_info: the cached
    # finfo objects, kept with what they hold (an eps of 1 set on the one np.finfo hands out passed 0.3 for 1/3)
    # and filecmp's cache of files compared (an entry saying True for the tests' file and the one the solution wrote
    # made their filecmp.cmp(..., shallow=False) hold)
    files = bare(_ptsfast_file_cache)(sys.modules.get("filecmp"))
    files_read = "filecmp" in tops
    limits = bare(_ptsfast_float_limits)(sys.modules.get("numpy"))
    limits_read = "numpy" in tops
    # and decimal's template contexts, which the tests' fresh contexts copy (a thread's, localcontext(ExtendedContext))
    templates = bare(_ptsfast_decimal_templates)(sys.modules.get("decimal"))
    templates_read = "decimal" in tops
    # and csv's dialects (excel re-registered with ';' read a file the solution wrote with ';' as the tests'
    # DictReader reads one with ',', and a wrong delimiter passed)
    dialects = bare(_ptsfast_csv_dialects)(sys.modules.get("csv"))
    dialects_read = "csv" in tops
    # and the codecs the tests use, by name (s.encode('rot13'), codecs.decode(b, 'cp1252')) or by reading a text file
    # (its locale's encoding, UTF-8): the registry's answer for each name, what it holds and the classes it names
    # (encodings._cache given a codec of the solution's, the encodings' search function unregistered for one of its
    # own, or utf_8's IncrementalDecoder made to read every file as '', passed wrong programs)
    codecs_kept = bare(_ptsfast_codecs)(c for t in test_code for c in t.co_consts if type(c) is str and len(c) < 40)
    generators = []  # (where, generator, its state getter: C functions, so that no harness globals are reachable,
    # numpy's)
    for key, m, callables in watched:
        for k, v in list(vars(m).items()) if key not in extras else ():
            inst = getattr(v, "__self__", None) if k in names and type(v) in (
                types.MethodType, types.BuiltinMethodType) else None
            if inst is None or any(g is inst for _, g, _, _ in generators):
                continue
            if "_random" in sys.modules and isinstance(inst, sys.modules["_random"].Random):
                generators.append((key + "." + k, inst, sys.modules["_random"].Random.getstate, False))
            elif type(inst).__module__.startswith("numpy.random") and callable(getattr(type(inst), "get_state", None)):
                generators.append((key + "." + k, inst, type(inst).get_state, True))
    # sys is not watched (above), but what the tests' skip conditions read of the platform is: a solution that set
    # sys.platform = "win32" would skip the tests it fails (skipif(sys.platform == "win32")); and the limits they
    # take a tolerance from (a float_info whose epsilon is 1 passed 0.3 for 1/3)
    for m, keys in ((sys, ("platform", "version_info", "hexversion", "maxsize", "byteorder", "implementation",
                           "float_info", "int_info", "hash_info", "maxunicode", "float_repr_style")),
                    (os, ("name",))):
        snapshot.append((m.__name__, vars(m), {k: vars(m)[k] for k in keys if k in vars(m)}, None))
    codes = [(name + "." + k, v, v.__code__) for name, _, copy, _ in snapshot for k, v in copy.items()
             if isinstance(v, types.FunctionType)]

    loaded, library_code = frozenset(id(m) for m in list(sys.modules.values())), bare(_ptsfast_library_code)
    frozen = bare(_ptsfast_frozen_codes)(list(sys.modules.values()))

    def solution_made(v):
        """Whether ``v``, found in place of a library's own value, is the solution's: its code (or its class's, or,
        for a module, the module) is no library's and not the tests'. Libraries replace their own: pyparsing's
        packrat parser, warnings.catch_warnings' log. Types, not attributes, are read: no solution code runs."""
        def ours(f):
            f = f.__func__ if type(f) in (staticmethod, classmethod, types.MethodType) else (
                f.fget if type(f) is property else f)
            return type(f) is types.FunctionType and id(f.__code__) not in test_codes and not library_code(
                f.__code__.co_filename, roots) and id(f.__code__) not in frozen and not made_tuple(f)

        def made_tuple(f):  # a namedtuple's __new__, which collections compiles from text (no file): it can only
            # build the tuple (its globals hold tuple.__new__ and no builtins), whoever made the class
            g = f.__globals__
            return (f.__code__.co_names == ("_tuple_new",) and len(g) == 3 and g.get("_tuple_new") is tuple.__new__
                    and not g.get("__builtins__"))

        kind = type(v)
        if kind is types.ModuleType:
            return id(v) not in loaded and not library_code(v.__dict__.get("__file__"), roots)
        if kind in (types.FunctionType, types.MethodType):
            return ours(v)
        classes = type.__dict__["__mro__"].__get__(v if issubclass(kind, type) else kind)
        if any(ours(f) for c in classes for f in list(type.__dict__["__dict__"].__get__(c).values())):
            return True
        # an instance of a library's class (so its __dict__ is the plain one): what it holds (a SimpleNamespace)
        held = {} if issubclass(kind, type) else getattr(v, "__dict__", {})
        return type(held) is dict and any(ours(f) or type(f) is types.ModuleType and solution_made(f)
                                          for f in list(held.values()))

    solution_made = bare(solution_made)  # watch() holds it: it must lead to no globals of the harness

    namespace = type.__dict__["__dict__"].__get__  # a class's own, as Python's lookups read it

    pattern = type(sys.modules["re"].compile("")) if "re" in sys.modules else None

    def retyped(was, now):  # a module's data replaced by the solution's, or by another kind of value (a defaultdict
        # for re's dict: a library's class, whose default_factory is the solution's); lazily set ones start as None.
        # Or a compiled pattern by one that matches otherwise (fractions' _RATIONAL_FORMAT made to read '1/3' as 1):
        # no library recompiles its own patterns into others (== compares the compiled code)
        return now is not missing and (solution_made(now) or was is not None and type(now) is not type(was) or
                                        type(was) is pattern and was != now)

    retyped = bare(retyped)

    recompiled = set()  # the library functions whose code their own library changed (see _ptsfast_frame_guard)
    # and the tables a library's functions look up what to call in (copy's _deepcopy_dispatch, copyreg's
    # dispatch_table, pandas' options, numpy's print options): one holding a function of the solution's copied,
    # pickled or printed the tests' values its way (deepcopy(list) handed the list back itself)
    registered = bare(_ptsfast_registries)(watched, extras, solution_made, missing, bare(
        lambda m: vars(m).get("__spec__") is not None and getattr(vars(m)["__spec__"], "origin", None) in (
            "built-in", "frozen") or library_code(vars(m).get("__file__"), roots)))

    def untouched(when):
        for where, inst, cls in classes_kept + list(classes_at_end.values()):
            if type(inst) is not cls:
                raise RuntimeError(when + " changed the class of " + where + ": not allowed")
        if not regexes():
            raise RuntimeError(when + " put a pattern in re's or strptime's cache that its key does not compile to: "
                               "not allowed")
        if not files():
            raise RuntimeError(when + " put an entry in filecmp's cache that comparing its files does not give: "
                               "not allowed")
        if not limits():
            raise RuntimeError(when + " changed numpy's float limits (np.finfo): not allowed")
        if not templates():
            raise RuntimeError(when + " changed decimal's DefaultContext, BasicContext or ExtendedContext (other than "
                               "a precision raised): not allowed")
        if not dialects():
            raise RuntimeError(when + " changed one of csv's own dialects (excel, excel-tab, unix): not allowed")
        if not codecs_kept():
            raise RuntimeError(when + " changed a codec the tests use (the registry's answer for its name, or its "
                               "classes): not allowed")
        for name, live, copy, module in snapshot:
            if module is not None and sys.modules.get(name) is not module:
                raise RuntimeError(when + " replaced the module " + name + " in sys.modules")
            for k, v in copy.items():
                now = live.get(k, missing)
                if now is not v and (retyped(v, now) if id(copy) in data else
                                     name not in extras or now is not missing and solution_made(now)):
                    raise RuntimeError(when + " replaced " + name + "." + k + ": not allowed")
        for name, f, code in codes:
            if f.__code__ is not code and id(f) not in recompiled:  # (not by its own library, as the hook saw it)
                raise RuntimeError(when + " replaced the code of " + name + ": not allowed")
        hit = registered(False)
        if hit:
            raise RuntimeError(when + " put a function of its own in " + hit + ": not allowed")
        # a library class given an attribute of its own over one it inherits (DataFrame.equals over NDFrame's): the
        # copies above hold only what each class defined itself
        for name, cls, keys in grown:
            live = namespace(cls)
            if len(live) != len(keys):
                for k in live.keys() - keys:
                    now, mro = live.get(k, missing), type.__dict__["__mro__"].__get__(cls)[1:]
                    if any(k in namespace(b) for b in mro) and (solution_made(now) or callable(now) and name not in
                                                                 extras):
                        raise RuntimeError(when + " set " + name + "." + k + " over the one it inherits: not "
                                           "allowed")

    from itertools import repeat
    from operator import attrgetter, is_, itemgetter
    held_now, first, second = attrgetter("cell_contents"), itemgetter(0), itemgetter(1)
    lingering = []  # the call window's check of the tests' data while threads the solution left run, at each read
    watching = []  # (live dict, its copy, names, where, lenient): the watched names the tests use, checked after each
    # value read; lenient: names a library may set itself (what the libraries the tests call look up), only the
    # solution's values there are refused

    caught = []  # what the checks found, kept apart from the tests' runner (a patched result class could lose it)
    cells = []  # (cell, what it holds) of the closures of the checks the solution's functions in the tests' namespace
    # are wrapped in (_ptsfast_checked): writable, so looked at after each value read
    helper_classes = []  # (where, a class of the tests', the names its namespace had): see seal()
    overriding = ("__eq__", "__ne__", "__bool__", "__getattr__", "__getattribute__")
    # watch()'s: per watched entry (by its place), its quick pass (below); per generator, its words at the places
    # below as last counted
    quick, counted, mappings = [], {}, (dict, type(type.__dict__))
    # 64 of a Mersenne Twister's 624 words, at places drawn here from the OS (no generator the solution can set):
    # a twist changes them all, and a state no seed gives (under 5,000 bits set of ~10,000) must change at least
    # 156 words (32 bits each at most), which all 64 places miss less than once in 10^8 (24 places: once in 1,000);
    # comparing them, not all 624, halved the check's cost a value read
    places = set()
    while len(places) < 64:
        places.add(int.from_bytes(os.urandom(2), "little") % 624)
    sampled = itemgetter(*sorted(places))

    def watch():  # a C-level pass per dict (~1 us for 100 names); the culprit is looked for only when one differs
        for f in lingering:
            f()
        if cells and not all(map(is_, map(held_now, map(first, cells)), map(second, cells))):
            caught.append("the solution changed what a check of the harness calls (a closure's cell): not allowed")
            raise RuntimeError(caught[-1])
        for where, inst, cls in classes_kept:
            if type(inst) is not cls:
                caught.append("the solution changed the class of " + where + ": not allowed")
                raise RuntimeError(caught[-1])
        if regexes_read and not regexes():
            caught.append("the solution put a pattern in re's or strptime's cache that its key does not compile to: "
                          "not allowed")
            raise RuntimeError(caught[-1])
        if files_read and not files():
            caught.append("the solution put an entry in filecmp's cache that comparing its files does not give: not "
                          "allowed")
            raise RuntimeError(caught[-1])
        if limits_read and not limits():
            caught.append("the solution changed numpy's float limits (np.finfo): not allowed")
            raise RuntimeError(caught[-1])
        if templates_read and not templates():
            caught.append("the solution changed decimal's DefaultContext, BasicContext or ExtendedContext (other than "
                          "a precision raised): not allowed")
            raise RuntimeError(caught[-1])
        if dialects_read and not dialects():
            caught.append("the solution changed one of csv's own dialects (excel, excel-tab, unix): not allowed")
            raise RuntimeError(caught[-1])
        if not codecs_kept():
            caught.append("the solution changed a codec the tests use (the registry's answer for its name, or its "
                          "classes): not allowed")
            raise RuntimeError(caught[-1])
        for j, (where, g, get_state, numpy) in enumerate(generators):  # Mersenne Twister words: ~9984 of 19968
            # bits set, whatever the seed (numpy's global one on another bit generator, set_bit_generator: none)
            if numpy:
                state = get_state(g, legacy=False)
                key = state["state"].get("key") if state.get("bit_generator") == "MT19937" else None
                words = key.tolist() if key is not None else ()
            else:  # counted once per change of the words (a twist every 624 draws, a seed, a setstate): a count of
                # each word cost ~30 us a value read (BigCodeBench/729's 100,000 random choices)
                words = get_state(g)
                seen = sampled(words)
                if seen == counted.get(j):  # ints, compared in C
                    continue
                words = words[:624]
            if words and sum(map(int.bit_count, words)) < 5000:
                caught.append("the solution put the generator behind " + where + " in a state no seed gives (what "
                              "it draws all alike): not allowed")
                raise RuntimeError(caught[-1])
            if not numpy:
                counted[j] = seen
        hit = registered(True)
        if hit:
            caught.append("the solution put a function of its own in " + hit + ": not allowed")
            raise RuntimeError(caught[-1])
        for where, cls, keys in helper_classes:
            live = namespace(cls)
            if len(live) != len(keys):
                for k in live.keys() - keys:
                    v, kind = live[k], type(live[k])
                    if k in overriding or any(a in namespace(c) for c in type.__dict__["__mro__"].__get__(kind)
                                              for a in ("__set__", "__delete__")):
                        caught.append("the solution set " + where + "." + k + ", which decides how the tests' "
                                      "objects compare or what they hold: not allowed")
                        raise RuntimeError(caught[-1])
        if len(quick) < len(watching):  # (no id(): each call is an audit event, a call of the frame guard's hook)
            quick.extend([None] * (len(watching) - len(quick)))
        for i, (live, copy, names, where, lenient) in enumerate(watching):
            got = quick[i]
            if got is None or got[0] is not names or got[1] is not live or got[5] is not copy:  # the names held,
                # looked up at once in C, and the values they had when last found in place; and the names held as
                # missing (one set is refused)
                held = tuple(k for k in names if copy.get(k, missing) is not missing) if type(live) in mappings else ()
                got = quick[i] = (names, live, itemgetter(*held, *held[:1]) if held else None,
                                  tuple(copy[k] for k in held + held[:1]),
                                  tuple(k for k in names if copy.get(k, missing) is missing), copy)
            try:  # ~2x faster than a lookup each in both (~20 us a value read for unittest's and random's names)
                if got[2] is not None and all(map(is_, got[2](live), got[3])) and not (
                        got[4] and any(map(live.__contains__, got[4]))):
                    continue
            except KeyError:  # a name gone: looked at below
                pass
            if all(map(is_, map(live.get, names, repeat(missing)), map(copy.__getitem__, names))):
                if got[2] is not None:  # in place, as the copy now has it (unittest.main put back): taken anew
                    quick[i] = None
            else:
                for k in names:
                    now = live.get(k, missing)
                    if now is not copy[k] and not (lenient and (now is missing or not (
                            solution_made(now) or lenient == "data" and retyped(copy[k], now)))):
                        caught.append("the solution replaced " + where + "." + k + ": not allowed")
                        raise RuntimeError(caught[-1])
                    if lenient == "data" and now is not copy[k] and now is not missing:  # its library's own value,
                        # as the end's check takes it too: not looked into again at every read (pyplot's
                        # _REPL_DISPLAYHOOK, set as a figure is made, cost a plotting test ~1 ms a value read)
                        copy[k] = now
                        quick[i] = None

    # made, and the tests compiled, before the solution can touch what they use
    test_codes = frozenset(map(id, test_code))
    handing = []  # what gives the tests the solution's code they read (its function an attribute holds) in the window
    plain, compare, pair = bare(_ptsfast_plain_values)(bare(_ptsfast_library_code), roots, bare(watch), caught,
                                                       test_codes, frozenset(map(id, _ptsfast_nested_codes(harness))),
                                                       frozenset(names), bool(spec.get("as_text")),
                                                       "autospec" in spec["tests"], frozen, handing)
    watching.extend(_ptsfast_watched(snapshot, test_code, names, fmt == "unittest", "asyncio" in runners, extras,
                                     data))
    watching.extend((live, copy, tuple(copy), where, False) for where, live, copy, _ in behind.values())
    # and the instances held as data that those functions read (json.loads reads _default_decoder, whose decode or
    # scan_once set on it, or whose class swapped, answered what the solution liked): what they can call, at each read
    for entry, kept in [data_instances[module, k] for _, _, ks, module, lenient in list(watching) if lenient == "data"
                        for k in ks if (module, k) in data_instances]:
        where, live, copy, _ = entry
        watching.extend([(live, copy, tuple(copy), where, False)] if copy else [])
        classes_kept.extend([kept] if not any(inst is kept[1] for _, inst, _ in classes_kept) else [])
    # and the modules the tests use, as sys.modules gives them to an import: one swapped during a call and put back
    # by the fake itself once used (an import re inside a test got a re whose fullmatch always held) is seen at the
    # next value read. Tests that patch sys.modules themselves (patch.dict('sys.modules', ...)): at the end only
    if "modules" not in names and not any(isinstance(c, str) and "sys.modules" in c for t in test_code
                                          for c in t.co_consts):
        kept = {n: m for n, m, _ in watched if n not in extras}
        watching.append((sys.modules, kept, tuple(kept), "sys.modules", False))
    solution.__file__ = "solution.py"
    sys.modules["solution"] = solution
    source = "" if spec.get("as_text") else _ptsfast_source(spec, code)  # as text, the tests run it themselves
    import linecache  # tracebacks and inspect.getsource() read the solution's lines here (it has no file)
    linecache.cache["solution.py"] = (len(source), None, source.splitlines(True), "solution.py")
    if source:  # but a process it starts by spawn or forkserver (Python 3.14's default) imports its functions by their
        # module's name, as from pytest's solution.py beside the tests: a file of the solution alone, apart from the
        # working folder (the sandbox's own /dev/shm; unisolated, the run's own TMPDIR), on the path children get
        away = os.path.join("/dev/shm" if os.getpid() == 2 else os.environ.get("TMPDIR") or os.getcwd(),
                            ".ptsfast-solution")
        try:
            os.makedirs(away, exist_ok=True)
            with open(os.path.join(away, "solution.py"), "w", encoding="utf-8") as f:
                f.write(source)
            sys.path.append(away)
        except OSError:  # /dev/shm full or absent: such children fail as before
            pass
    # a HumanEval prompt's helpers that its tests use too (HumanEval/38's encode_cyclic, /32's poly, the prompt's
    # np): the tests get the prompt's own, run apart before the solution, which could otherwise redefine them
    # (encode_cyclic made the identity, decode_cyclic then returning its argument passed; so did an np whose
    # allclose always holds) or the names they look up (a sum() of its own made every point a zero of poly)
    helpers, helpers_ns = bare(_ptsfast_prompt_helpers)(spec, _ptsfast_global_names(test_code)[0]) \
        if fmt == "humaneval" else ({}, {})
    run_by_tests = bare(_ptsfast_frame_guard)(_ptsfast_nested_codes(harness) + test_code, roots,
                                              bare(_ptsfast_library_code), recompiled)
    solution_calls = [0]  # the tests' calls of the solution's functions so far (a skip after one is not theirs)
    own_skip = bare(_ptsfast_own_skip)(_ptsfast_nested_codes(harness), test_code, roots, bare(_ptsfast_library_code),
                                       solution_calls)
    # what the solution's calls last returned, held until the tests let go of it (_ptsfast_call_window)
    returned = []
    around, load, arm, later, touched = bare(_ptsfast_call_window)(test_code, caught, decimal, kept=returned,
                                                                   holding=holding, uses=bare(_ptsfast_stack_uses),
                                                                   call_count=solution_calls)
    lingering.append(later)
    windows.append(around)  # the solution's signal handlers run in the call window
    # what the tests' code and the solution's functions in their namespace call of the checks hides their cells
    checks.update(plain=plain, compare=compare, pair=pair, around=around, touched=touched)
    # what the interpreter calls at moments of its own before the solution runs (the libraries' gc callbacks and
    # finalizers): what is added later runs in the call window (_ptsfast_checked)
    finalizer = getattr(sys.modules.get("weakref"), "finalize", None)
    called = (frozenset(map(id, gc.callbacks)), int(repr(finalizer._index_iter)[6:-1]) if finalizer is not None and
              repr(finalizer._index_iter)[6:-1].isdigit() else 0, finalizer, gc.callbacks)
    load(bare(lambda: exec(compile(source, "solution.py", "exec"), vars(solution))))
    untouched("the solution")
    plain(None)  # None is plain: this checks for a tracer only

    def own_builtins(where, when):  # a module's __builtins__ is what its code's names fall back to
        if not any(where.get("__builtins__", builtins) is b for b in (builtins, vars(builtins))):
            raise RuntimeError(when + " replaced __builtins__: not allowed")

    own_builtins(vars(solution), "the solution")
    if shared:
        exec(setup, vars(solution))
    own = vars(solution)
    if shared or "solution" not in names:  # one namespace with the solution's, as their harnesses run them
        _ptsfast_names_used(spec, own, test_code, roots, modules)
    else:  # tests that import what they test (from solution import f) see the builtins, as pytest gives them, not
        # the solution's names for them (a helper round() of its own, or abs() made to pass)
        own = {k: v for k, v in own.items() if k.startswith("__") or not hasattr(builtins, k)}
    # a test script runs as a program (code-r1 and Skywork-OR1 run solution + tests with python): its checks under
    # ``if __name__ == "__main__":`` run
    ns = {**own, **helpers, "__name__": "__main__" if fmt == "script" else "test_solution",
          "__file__": "test_solution.py", "__builtins__": builtins}
    if helpers:  # and what they look up is the prompt's (the solution has no business there)
        kept = tuple(k for k in helpers_ns if not k.startswith("__"))
        watching.append((helpers_ns, {k: helpers_ns[k] for k in kept}, kept, "the prompt's helpers", False))
        watching.extend(bare(_ptsfast_prompt_classes)(helpers_ns, vars(solution), missing))
    if spec.get("as_text"):
        ns["__ptsfast_solution__"] = code
    # what is not the solution's code, whatever the file name it was compiled with: the tests' and the harness's code,
    # and functions of the tests' or the prompt's helpers' namespaces
    not_its = (test_codes | frozenset(map(id, _ptsfast_nested_codes(harness))), (ns, helpers_ns))
    # tests run as written (too long to rewrite) compare what they read unseen: there no value the solution's
    # functions return may compare by the solution's own ==
    bare(_ptsfast_checked)(ns, hidden["plain"], not rewritten, bare(_ptsfast_library_code), roots,
                           "StopIteration" in names, hidden["around"], cells, vars(solution), makers, checks,
                           called, handing, returned, not_its)
    # the checks under the names they had in the tests' namespace (the tests' code holds them as constants)
    ns["__ptsfast_plain__"], ns["__ptsfast_compare__"], ns["__ptsfast_pair__"] = (hidden["plain"], hidden["compare"],
                                                                                  hidden["pair"])
    # the tests' namespace is reachable (a helper class's method's __globals__): what their code falls back to there
    # is checked after each value read, as the libraries' names are (swapped for one that puts itself back, the
    # final check alone would see nothing)
    guards = ("__ptsfast_plain__", "__ptsfast_compare__", "__ptsfast_pair__", "__builtins__")
    watching.append((ns, {k: ns[k] for k in guards}, guards, "the tests' namespace", False))
    run_main = None
    if fmt == "unittest":  # the runner below runs them: meanwhile unittest.main does nothing (the watch knows)
        import unittest
        run_main, stand_in = unittest.main, bare(lambda *a, **k: None)
        copies = [copy for _, live, copy, _ in snapshot if live is vars(unittest)] + [vars(unittest)]
        for d in copies:
            d["main"] = stand_in
    before = dict(ns)
    try:
        exec(tests, ns)
    finally:
        if run_main is not None:
            for d in copies:
                d["main"] = run_main
    untouched("the tests")
    theirs = {k: v for k, v in ns.items() if before.get(k, missing) is not v}  # what the tests bound themselves
    # the solution's functions the tests import (from solution import f) are checked where they call them, as those
    # in their namespace are
    imported = {k: v for k, v in theirs.items() if any(v is w for w in vars(solution).values())}
    bare(_ptsfast_checked)(imported, hidden["plain"], not rewritten, bare(_ptsfast_library_code), roots,
                           "StopIteration" in names, hidden["around"], cells, vars(solution), makers, checks,
                           called, handing, returned, not_its)
    ns.update(imported)
    theirs.update(imported)
    arm(ns, theirs, vars(solution))  # from here on, a call of the solution's changes nothing of the tests' own
    if fmt == "unittest" and "solution" not in names:  # names: every name the tests use, an import of it too
        # unittest rows that name the solution's functions without importing them (BigCodeBench) are judged as one
        # module, the solution's code then its tests': what the tests import is the solution's name for it too
        # (its code may use os or punctuation from the tests' imports, or datetime as the tests' module where it
        # imported the class), and a patch of the tests' own module (patch(__name__ + ".randint")) patches what
        # its code calls
        imported = set(spec.get("bound", ()))  # read off the tests where they were parsed (TestProgram.bound)
        for k, v in list(ns.items()):  # what the tests import (from string import punctuation), and modules
            if (k in imported or isinstance(v, types.ModuleType)) and not k.startswith("__"):
                vars(solution)[k] = v
        sys.modules[ns["__name__"]] = solution
    refused, sealed = [], []  # what the solution reached of its tests (it may have caught that), the seal's result
    skippable = bool(names & {"skip", "skipIf", "skipUnless", "SkipTest"})

    def seal():
        sealed.append(bare(_ptsfast_sealed)(ns, run_by_tests, test_codes, bare(_ptsfast_library_code), roots,
                                            skippable, refused, lock))
        # the tests' own helper classes, which they may hand the solution (a Node or TreeNode of theirs): what the
        # tests' code defines there stays (Node.__eq__ made to hold for anything passed a list left unreversed, a
        # to_list() of the solution's said what the tests wanted), and no ==, truth or attribute lookup of the
        # solution's, nor a descriptor over what the objects hold (Node.val a property), comes in; methods it adds
        # are its business (ListNode.__lt__ for heapq)
        for k, v in list(ns.items()):
            if isinstance(v, type) and not k.startswith("Test") and not any(  # (test classes: sealed above)
                    b.__module__ == "unittest.case" for b in type.__dict__["__mro__"].__get__(v)[1:]) and any(
                    id(getattr(getattr(f, "__func__", f), "__code__", None)) in test_codes or (
                        type(f) is property and id(getattr(f.fget, "__code__", None)) in test_codes)
                    for f in list(namespace(v).values())):
                live = namespace(v)
                kept = {a: w for a, w in live.items() if a not in ("__doc__", "__module__", "__qualname__") and (
                    callable(w) or hasattr(type(w), "__get__"))}
                kept.update((a, missing) for a in overriding if a not in live)
                watching.append((live, kept, tuple(kept), "the tests' class " + k, False))
                helper_classes.append(("the tests' class " + k, v, frozenset(live)))
        # and, from here on, every module, class and function of theirs the tests use (ns['math'] swapped for a
        # module whose isclose always holds), less those their functions rebind (global x) and all of them where the
        # tests write their globals some other way. Not their data: their own setup may set it (setup_module's
        # module.BASE = 10), and it can be changed in place anyway (README)
        if names & {"globals", "exec", "eval", "vars", "__import__"}:
            return
        import dis
        store = bytes([dis.opmap["STORE_GLOBAL"], dis.opmap["DELETE_GLOBAL"]])
        rebound = {i.argval for c in test_code if store[:1] in c.co_code[::2] or store[1:] in c.co_code[::2]
                   for i in dis.get_instructions(c) if i.opname in ("STORE_GLOBAL", "DELETE_GLOBAL")}
        kinds = (type(dis), type, type(seal), type(len))  # type(), not isinstance: __class__ may be a property
        kept = tuple(k for k in ns.keys() & names if k not in rebound and not k.startswith("__")
                     and issubclass(type(ns[k]), kinds))
        if kept:
            watching.append((ns, {k: ns[k] for k in kept}, kept, "the tests' namespace", False))

    if fmt == "humaneval":
        check, candidate = ns["check"], _ptsfast_entry(ns, spec["entry_point"])
        seal()
        check(candidate)
    elif fmt == "pytest":
        # bare: the request it hands the tests leads to no globals of the harness
        bare(_ptsfast_pytest)(ns, seal, bare(_ptsfast_fixtures)(), theirs, own_skip=own_skip)
    elif fmt == "unittest":  # with the pytest-style tests beside its TestCases, which pytest runs too
        bare(_ptsfast_pytest)(ns, seal, bare(_ptsfast_fixtures)(), theirs, beside_unittest=True, own_skip=own_skip)
        _ptsfast_unittest(ns, sealed[0][0], sealed[0][1], real[0], own_skip)
    if sealed:
        sealed[0][2]()
    if refused:
        raise RuntimeError("the solution reached into its tests (their functions or their classes' data, %d times): "
                           "not allowed" % len(refused))
    untouched("running the tests")
    plain(None)
    own_builtins(ns, "running the tests")
    if not all(ns.get(k) is hidden[n] for k, n in (("__ptsfast_plain__", "plain"), ("__ptsfast_compare__", "compare"),
                                                    ("__ptsfast_pair__", "pair"))) or not all(
            c.cell_contents is v for c, v in cells):
        raise RuntimeError("the solution replaced the tests' check of the values they compare")
    if caught:
        raise RuntimeError(caught[0])
    for f in streams:  # what they hold goes out before the bound closes
        try:
            f.flush()
        except BaseException:
            pass
    quiet()


def _ptsfast_registries(watched, extras, solution_made, missing, library=None):
    """The dicts a library's module holds (and the dicts they hold, and a ``ContextVar``'s dict: numpy's print
    options), in which its functions look up what to call: ``check(reading)`` names the first entry where the
    solution put a function (or class) of its own, or None. Each is the library's business, or the solution's under a
    class of its own (``copyreg.pickle(Point, ...)``), not under a key the library's callers use: copy's
    ``_deepcopy_dispatch[list]`` set to hand the list back made the tests' copy of their input the input itself (an
    in-place sort then passed 'the input is left as it was'), a numpy ``formatter`` or a pandas ``float_format`` of
    the solution's printed the tests' arrays as it liked. ``reading``: at each value the tests read, only the tables
    keyed by class of the modules the tests use, and the ``ContextVar``'s (all of them, ~10k entries with pandas,
    cost ~0.3 ms a read), the rest at the ends. ``library(module)``: whether a module loaded later (by the solution:
    numpy, whose print options the tests' str() of an array reads) is a library's, whose tables are then read from
    nothing (all they hold). Run with bare globals (:func:`_ptsfast_bare`)."""
    import contextvars, functools, sys, types
    from operator import is_
    var = contextvars.ContextVar
    tables, seen, read = [], set(), []  # [where, a dict or a ContextVar, checked at each read, (the dict, its copy)]

    def value(holder):
        if type(holder) is not var:
            return holder
        try:
            return holder.get()
        except LookupError:
            return None

    def held(v, depth=0):  # a function of the solution's, as a table's value (or in a tuple: shutil's formats)
        if type(v) is tuple and depth == 0:
            return any(held(w, 1) for w in v)
        for _ in range(8):
            if type(v) is not functools.partial:
                break
            v = v.func
        return callable(v) and solution_made(v)

    def add(where, holder, reading, fresh=False):
        if id(holder) in seen:
            return
        seen.add(id(holder))
        d = value(holder)
        if type(holder) is var and type(d) is not dict:
            return
        reading = reading and (type(holder) is var or any(issubclass(type(k), type) for k in d))  # by class
        tables.append([where, holder, reading, (None, {}, ()) if fresh else (d, dict(d), tuple(d.values()))])
        read.extend(tables[-1:] if reading else [])
        for k, v in list(d.items()) if type(holder) is not var else ():
            if type(v) is dict and type(k) is str:
                add(where + "[" + repr(k) + "]", v, reading, fresh)

    modules, known, counted = sys.modules, {id(m): m for m in list(sys.modules.values())}, [len(sys.modules)]

    def loaded_later():  # the tables of the libraries loaded since (each module once, when sys.modules grows)
        if len(modules) == counted[0] or library is None:
            return
        counted[0] = len(modules)
        for n, m in list(modules.items()):
            if id(m) not in known and type(m) is types.ModuleType:
                known[id(m)] = m
                if library(m):
                    for k, v in list(vars(m).items()):
                        if not (k[:2] == "__" == k[-2:]) and type(v) in (dict, var):
                            add(n + "." + k, v, True, fresh=True)

    for key, m, _ in watched:
        if key == "builtins":
            continue
        for k, v in list(vars(m).items()):
            if not (k[:2] == "__" == k[-2:]) and type(v) in (dict, var):
                add(key + "." + k, v, key not in extras)
    before, todo = {}, [object]  # the classes there are now: a key of one made later is the solution's own
    while todo:
        t = todo.pop()
        if id(t) not in before:
            before[id(t)] = t
            todo.extend(type.__subclasses__(t))
    name = type.__dict__["__name__"].__get__

    def found(where, d, old, depth=0):
        for k, v in list(d.items()):
            if old.get(k, missing) is v:
                continue
            at = where + "[" + (repr(k) if type(k) in (str, int) else name(k) if issubclass(type(k), type) else
                                "a key of " + name(type(k))) + "]"
            if type(v) is dict and depth < 2:
                hit = found(at, v, {}, depth + 1)
                if hit:
                    return hit
            elif held(v) and not (issubclass(type(k), type) and id(k) not in before):
                return at
        return None

    def check(reading):
        loaded_later()
        for table in read if reading else tables:
            where, holder, _, (was, copy, values) = table
            d = value(holder)
            if type(d) is not dict:
                continue
            if d is was and len(d) == len(values) and all(map(is_, d.values(), values)):  # in its order: C-level
                continue
            hit = found(where, d, copy if d is was else {})
            if hit:
                return hit
            table[3] = (d, dict(d), tuple(d.values()))
        return None

    return check


def _ptsfast_regex_caches(re, strptime=None):
    """What tells whether every entry of ``re``'s caches (``_cache``, ``_cache2``: ``(type, pattern, flags)`` to the
    compiled pattern) is the pattern its key compiles to (``Pattern.__eq__`` compares the compiled code too), and
    every entry of ``strptime``'s (``_strptime._regex_cache``: a format to its pattern) what its TimeRE compiles the
    format to, that TimeRE's fragments being what a fresh one makes (a '.*' there made any text parse as 1900-01-01).
    An entry seen right is remembered by its key's and its value's ids, both held: a C-level pass per read where
    nothing changed. Run with bare globals."""
    if re is None:
        return lambda: True
    compiler = vars(re).get("_compiler") or __import__("sre_compile")
    compile_, pattern_type, seen = compiler.compile, type(re.compile("")), {}
    from operator import is_
    time_re = getattr(strptime, "TimeRE", None) if strptime is not None else None
    time_re_compile, fragments = getattr(time_re, "compile", None), [None]

    def formats_kept():
        tre = vars(strptime).get("_TimeRE_cache")
        if type(tre) is not time_re:
            return tre is None
        was = fragments[0]
        if was is None or was[0] is not tre or len(was[1]) != dict.__len__(tre) or not all(
                map(is_, was[1], dict.values(tre))):
            if dict.copy(tre) != dict.copy(time_re()):
                return False
            fragments[0] = (tre, tuple(dict.values(tre)))
        cache = vars(strptime).get("_regex_cache")
        if type(cache) is not dict or all(map(seen.__contains__, zip(map(id, cache), map(id, cache.values())))):
            return True
        for k, v in list(cache.items()):
            if (id(k), id(v)) not in seen:
                try:
                    if not (type(k) is str and type(v) is pattern_type and v == time_re_compile(tre, k)):
                        return False
                except Exception:
                    return False
                seen[id(k), id(v)] = (k, v)
        return True

    def right(k, v):
        if not (type(k) is tuple and len(k) == 3 and k[0] in (str, bytes) and type(k[1]) is k[0]
                and isinstance(k[2], int)):
            return True  # no key re's own lookups make: never read
        try:
            return type(v) is pattern_type and v == compile_(k[1], int(k[2]))
        except Exception:
            return False

    def kept():
        for name in ("_cache", "_cache2"):
            cache = vars(re).get(name)
            if type(cache) is not dict or all(map(seen.__contains__, zip(map(id, cache), map(id, cache.values())))):
                continue
            for k, v in list(cache.items()):
                if (id(k), id(v)) not in seen:
                    if not right(k, v):
                        return False
                    seen[id(k), id(v)] = (k, v)
        return time_re is None or formats_kept()

    return kept


def _ptsfast_file_cache(filecmp):
    """What tells whether every entry of ``filecmp``'s cache (``_cache``: two files and their signatures, type, size
    and mtime, to whether their bytes are the same, read by ``cmp(shallow=False)`` and ``cmpfiles``) that stands for
    the files as they are now is what comparing them gives (an entry of the solution's said True for a file it wrote
    wrong, and the tests' comparison held). Its paths must be strings, bytes or pathlib's, and its signatures plain
    numbers (a key of the solution's class would match any lookup). An entry seen right is remembered by its key's
    and its value's ids, both held. Run with bare globals."""
    if filecmp is None or not callable(vars(filecmp).get("_do_cmp")) or not callable(vars(filecmp).get("_sig")):
        return lambda: True
    import os
    sig, same, stat, seen = vars(filecmp)["_sig"], vars(filecmp)["_do_cmp"], os.stat, {}

    def path(f):
        return type(f) in (str, bytes) or getattr(type(f), "__module__", None) == "pathlib"

    def signature(s):
        return type(s) is tuple and len(s) == 3 and all(type(x) in (int, float) for x in s)

    def right(k, v):
        if not (type(k) is tuple and len(k) == 4 and path(k[0]) and path(k[1]) and signature(k[2])
                and signature(k[3])):
            return False
        try:
            if (k[2], k[3]) != (sig(stat(k[0])), sig(stat(k[1]))):
                return None  # stands for files as they no longer are: no lookup finds it now
            return v is same(k[0], k[1])
        except Exception:
            return False

    def kept():
        cache = vars(filecmp).get("_cache")
        if type(cache) is not dict or all(map(seen.__contains__, zip(map(id, cache), map(id, cache.values())))):
            return True
        for k, v in list(cache.items()):
            if (id(k), id(v)) not in seen:
                ok = right(k, v)
                if ok is False:
                    return False
                if ok:
                    seen[id(k), id(v)] = (k, v)
        return True

    return kept


def _ptsfast_decimal_templates(decimal):
    """What tells whether decimal's template contexts keep their settings, and are still the module's: new threads'
    contexts are copies of ``DefaultContext``, and ``localcontext(ExtendedContext)`` copies that one (the solution's
    ``DefaultContext.prec = 1`` made ``Decimal(1) / 3`` in the tests' worker thread 0.3, its answer). A precision
    raised is allowed (a program's way to compute its threads' decimals to more digits, as in a plain run). Run with
    bare globals."""
    if decimal is None:
        return lambda: True
    names, kept = ("rounding", "Emin", "Emax", "capitals", "clamp"), []
    for k in ("DefaultContext", "BasicContext", "ExtendedContext"):
        c = getattr(decimal, k, None)
        if c is not None:
            kept.append((k, c, c.prec, tuple(getattr(c, n) for n in names), dict(c.traps)))
    module = vars(decimal)

    def same():
        for k, c, prec, settings, traps in kept:
            p = c.prec
            if module.get(k) is not c or type(p) is not int or p < prec or tuple(
                    getattr(c, n) for n in names) != settings or dict(c.traps) != traps:
                return False
        return True

    return same


def _ptsfast_float_limits(np):
    """What tells whether ``np.finfo`` still hands out, for numpy's float types and Python's float, the objects it
    gave before the solution ran, each holding what it held (the attributes by identity, a C-level pass). Run with
    bare globals."""
    from operator import is_
    finfo = getattr(np, "finfo", None)
    cache = vars(finfo).get("_finfo_cache") if isinstance(finfo, type) else None
    if type(cache) is not dict:
        return lambda: True
    kept = []  # (its cache keys, the finfo object, its attributes, their names, their values)
    for t in ("float16", "float32", "float64", "longdouble"):
        try:
            f, t = finfo(getattr(np, t)), getattr(np, t)
        except Exception:
            continue
        d = vars(f)
        kept.append(([k for k in (t, np.dtype(t), float if t is np.float64 else None) if cache.get(k) is f],
                     f, d, tuple(d), tuple(d.values())))

    ids, dtypes = {id(f) for _, f, _, _, _ in kept}, {f.dtype for _, f, _, _, _ in kept}

    def same():
        for keys, f, d, names, values in kept:
            if not all(map(is_, map(d.get, names), values)):  # (numpy caches its tiny there on first use)
                return False
            for k in keys:
                if cache.get(k) is not f:
                    return False
        if vars(finfo).get("_finfo_cache") is not cache:
            return False
        # under any other key (np.finfo('float64') looks its argument up first): one of those, or another float type's
        return all(map(ids.__contains__, map(id, cache.values()))) or all(
            id(v) in ids or type(v) is finfo and vars(v).get("dtype") not in dtypes for v in list(cache.values()))

    return same


def _ptsfast_csv_dialects(csv):
    """What tells whether csv's registry still gives, for each dialect it had before the solution ran (``excel``,
    which ``DictReader`` and ``DictWriter`` read and write by; ``excel-tab``, ``unix``), what that dialect was: the
    registry is the C module's own, out of the snapshot's reach. Run with bare globals."""
    if csv is None:
        return lambda: True
    get, names = csv.get_dialect, ("delimiter", "quotechar", "escapechar", "doublequote", "skipinitialspace",
                                   "lineterminator", "quoting", "strict")

    def read(name):
        try:
            d = get(name)
            return tuple((type(v), v) for v in (getattr(d, k, None) for k in names))
        except Exception:
            return None

    kept = {name: read(name) for name in csv.list_dialects()}

    def same():
        return all(read(name) == was for name, was in kept.items())

    return same


def _ptsfast_codecs(constants):
    """What tells whether the codecs named by ``constants`` (the tests' strings that name one) and the locale's and
    UTF-8's (text files' own) are still what the registry gave before the solution ran: for each name the same
    CodecInfo, holding the same functions and classes, and its incremental coders' classes (and their bases) their
    own namespaces, by identity (C-level passes). Run with bare globals."""
    import codecs, encodings, os
    from operator import getitem, is_
    try:
        import _locale
        names_ = [_locale.nl_langinfo(_locale.CODESET)]
    except Exception:
        names_ = []
    try:
        known = {n[:-3] for n in os.listdir(encodings.__path__[0]) if n.endswith(".py")}
    except OSError:
        known = set()
    aliases = getattr(getattr(encodings, "aliases", None), "aliases", {})
    for c in constants:
        n = encodings.normalize_encoding(c.lower())
        if n in aliases or n.replace(".", "_") in aliases or n in known:
            names_.append(c)
    names, infos, spaces, seen = [], [], [], set()  # spaces: the namespaces kept
    for name in dict.fromkeys(names_ + ["utf-8", "UTF-8", "utf8"]):
        try:
            info = codecs.lookup(name)
        except Exception:
            continue
        names.append(name)
        infos.append(info)
        if id(info) not in seen:
            seen.add(id(info))
            spaces.append(vars(info))
        # str.encode(name) and codecs.decode() call its functions, held in the tuple it is; a text file its incremental
        # coders, named in its attributes
        for v in (getattr(info, "incrementalencoder", None), getattr(info, "incrementaldecoder", None)):
            for k in type.__dict__["__mro__"].__get__(v) if isinstance(v, type) else ():
                if id(k) not in seen and k.__module__ != "builtins":  # each class once, and no builtin type's
                    seen.add(id(k))
                    spaces.append(type.__dict__["__dict__"].__get__(k))
    # flat, for C-level passes
    dicts = [d for d in spaces for _ in d]
    keys = [k for d in spaces for k in d]
    values = list(map(getitem, dicts, keys))
    sizes, lookup = list(map(len, spaces)), codecs.lookup

    def same():
        try:
            return all(map(is_, map(lookup, names), infos)) and list(map(len, spaces)) == sizes and all(
                map(is_, map(getitem, dicts, keys), values))
        except Exception:  # a name no longer found, a key gone
            return False

    return same


def _ptsfast_drained(out, lock, start, left):
    """Points descriptors 1 and 2 at a pipe whose bytes a thread passes on to ``out`` (a copy of descriptor 1) while
    ``left[0]``, the bound it shares with the streams of :func:`_ptsfast_bounded`, lasts, and the rest nowhere;
    returns what stops it and them passing anything on (called once the tests passed: nothing may come after the
    runner's verdict). Run with bare globals."""
    import os
    r, w = os.pipe()
    os.dup2(w, 1)
    os.dup2(w, 2)
    os.close(w)

    def drain():
        while True:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                return
            with lock:
                if left[0] > 0:
                    part = chunk[:left[0]]
                    left[0] -= len(part)
                    try:
                        os.write(out, part)
                        if left[0] <= 0:
                            os.write(out, b"\n[ptsfast: the output's bound reached on descriptors 1 and 2; what "
                                          b"follows is left out]\n")
                    except OSError:
                        left[0] = 0

    def stop():
        with lock:
            left[0] = 0

    start(drain, ())
    return stop


def _ptsfast_stop_guard():
    """unittest's part executor swallows its internal ``_ShouldStop`` (raised only by a failed subtest under
    failfast, or one of a test that expects failure), counting the test a success: raised by the solution's code in
    a test that expects no failure, it fails that test instead. Run with bare globals (:func:`_ptsfast_bare`)."""
    import contextlib, sys
    case = sys.modules["unittest.case"]
    real = case._Outcome.testPartExecutor

    @contextlib.contextmanager
    def part(self, test_case, subTest=False):
        with real(self, test_case, subTest):
            try:
                yield
            except case._ShouldStop:
                if self.expecting_failure or getattr(self.result, "failfast", False):
                    raise
                raise AssertionError("unittest's internal _ShouldStop in a test that expects no failure (raised by "
                                     "the solution to end the test as a success): not allowed") from None

    case._Outcome.testPartExecutor = part


def _ptsfast_bounded(real, left, fd, name):
    """A stream like ``real`` (sys.stdout or sys.stderr: a text file over a buffer over a file of descriptor ``fd``,
    named ``name``, that reconfigure(), detach() and the rest work on as on the interpreter's own) passing on what is
    written to ``real``'s descriptor (a copy of ``fd``) while ``left[0]``, the bytes left of a bound shared by
    every stream and descriptor the solution writes to, lasts, then a note, and then nothing: what the solution
    prints is no part of a verdict (HumanEval's and MBPP's harnesses swallow it), so debug prints in a loop cannot
    fill the sandbox's output limit, which fails the run. Run with bare globals."""
    import io, os
    out = real.fileno()

    class Bounded(io.FileIO):  # its descriptor is ``fd``, the one it stands for; what it writes goes to ``out``
        def write(self, b):
            data = memoryview(b).cast("B")
            if left[0] > 0:
                part = data[:left[0]]
                left[0] -= len(part)
                while part:
                    part = part[os.write(out, part):]
                if left[0] <= 0:
                    os.write(out, b"\n[ptsfast: the output's bound reached; what follows is left out]\n")
            return len(data)

    raw = Bounded(fd, "w", closefd=False)
    raw.name = name
    stream = io.TextIOWrapper(io.BufferedWriter(raw), real.encoding, real.errors, line_buffering=True)
    stream.mode = "w"
    return stream


def _ptsfast_frozen_codes(modules):
    """The ids of the code objects of the standard library's frozen modules (importlib's loaders, os, codecs: their
    files are ``<frozen os>``, no library file), nested ones included, as loaded before the solution runs: a value of
    theirs is the library's (asyncio's lazy ``linecache`` entries hold a loader's ``get_source``: every
    ``IsolatedAsyncioTestCase`` failed as 'a function of its own in linecache.cache'). By identity, not by file name,
    which any ``compile`` may give. Run with bare globals."""
    import types
    codes, kinds = [], (staticmethod, classmethod)
    for m in modules:
        spec = vars(m).get("__spec__") if type(m) is types.ModuleType else None
        if getattr(spec, "origin", None) != "frozen":
            continue
        for v in list(vars(m).values()):
            for f in list(type.__dict__["__dict__"].__get__(v).values()) if isinstance(v, type) else (v,):
                f = f.__func__ if type(f) in kinds else f.fget if type(f) is property else f
                if type(f) is types.FunctionType:
                    codes.append(f.__code__)
    ids = set()
    while codes:  # and the codes nested in them (a closure a frozen function makes: FileFinder's path hook)
        c = codes.pop()
        ids.add(id(c))
        codes.extend(k for k in c.co_consts if type(k) is types.CodeType)
    return frozenset(ids)


def _ptsfast_nested_codes(codes):
    """``codes`` and every code object nested in them (functions, class bodies, comprehensions)."""
    import types
    out, todo = [], list(codes)
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return out


def _ptsfast_watched(snapshot, codes, used, unittest_format, asynchronous=False, extras=frozenset(),
                     data=frozenset()):
    """What the value check watches (see :func:`_ptsfast_plain_values`): of the watched modules and classes
    (``snapshot``), the names the tests use (``used``; ``codes``: their code objects, nested ones included) and
    those that the library functions they use look up in turn (assertAlmostEqual's round(), assertCountEqual's
    helpers: one replaced by a function that puts the original back once called would pass the next assertion); in
    unittest's format, every method of ``TestCase`` and of the runner's classes (a result class patched for one
    failure and restored would hide it) and ``collections.Counter`` (assertCountEqual's ==); for async tests, all of
    asyncio), less those the tests replace themselves (``mock.patch('os.getcwd')``, ``patch.object(os, 'sep')``, an
    assignment to an attribute). ``extras``: the snapshot's entries of other modules, checked at the end only;
    ``data``: the ids of the copies of modules' data, of which the names those functions look up, in turn through
    the module's functions and the modules they name (``re.match``: ``_compile``, which reads ``_cache``), are
    watched as data (``lenient`` is ``"data"``). Each entry is ``(live dict, its copy, names, where, lenient)``:
    lenient for the names only a library function the tests call looks up, which a library may set itself
    (``warnings.catch_warnings``)."""
    import builtins, dis, types
    RUNNER_CLASSES = {"unittest.case.TestCase", "unittest.case._Outcome", "unittest.result.TestResult",
                      "unittest.async_case.IsolatedAsyncioTestCase", "unittest.runner.TextTestResult",
                      "unittest.runner.TextTestRunner",
                      "unittest.suite.TestSuite", "unittest.suite.BaseTestSuite", "unittest.loader.TestLoader",
                      "collections.Counter"}
    patched = set()
    stores = bytes([dis.opmap["STORE_ATTR"], dis.opmap["DELETE_ATTR"]])
    for code in codes:
        for c in code.co_consts:
            if not isinstance(c, types.CodeType):  # a patch target ('os.getcwd'), a keyword (patch.multiple(os, sep=))
                patched.update(t.rpartition(".")[2] for t in (c if isinstance(c, tuple) else (c,))
                               if isinstance(t, str) and len(t) < 200)
        ops = code.co_code[::2]  # each instruction's opcode (wordcode): read the code only where it assigns one
        if stores[:1] in ops or stores[1:] in ops:
            patched.update(i.argval for i in dis.get_instructions(code) if i.opname in ("STORE_ATTR", "DELETE_ATTR"))
    def whole(name):
        return (unittest_format and name in RUNNER_CLASSES) or (asynchronous and name.split(".")[0] == "asyncio")

    # id(globals): the names the library functions the tests use look up there (and in builtins); in
    # data_looked_up also those that the functions they call in turn look up, two calls deep (re.compile's _compile
    # reads _cache), watched as data only (followed through up to 2,000 functions, matplotlib's names watched at
    # every value read took a plotting test from 15 s to over a minute)
    looked_up, data_looked_up = {}, {}
    pending = [(v, 0) for name, live, copy, module in snapshot for k, v in
               (copy.items() if name not in extras else ()) if isinstance(v, types.FunctionType) and k in used]
    first = {id(v) for v, _ in pending}  # breadth first: the ones the tests use before what they call
    seen, at = set(first), 0
    while at < len(pending):  # and those they call in turn, of their module or of a module they name
        (v, depth), at = pending[at], at + 1
        found = set().union(*(c.co_names for c in _ptsfast_nested_codes([v.__code__])))
        g = v.__globals__
        for table in (looked_up, data_looked_up) if id(v) in first else (data_looked_up,):
            table.setdefault(id(g), set()).update(found)
            table.setdefault(id(builtins), set()).update(found)
        if depth >= 2:
            continue
        for space in [g] + [vars(m) for m in (g.get(n) for n in found) if isinstance(m, types.ModuleType)]:
            for f in (space.get(n) for n in found):
                if isinstance(f, types.FunctionType) and id(f) not in seen:
                    seen.add(id(f))
                    pending.append((f, depth + 1))
    out = []
    for name, live, copy, module in snapshot:
        case = whole(name)
        if name in extras and not case and id(copy) not in data:
            continue
        more = (data_looked_up if id(copy) in data else looked_up).get(id(builtins) if module is builtins else id(live),
                                                                        ())
        # a class's __module__ and the like are not worth it; but the operators of what the runner compares are
        dunders = (module is not None and name == "builtins") or (case and name == "collections.Counter")
        names = tuple(k for k in copy if (case or k in used or k in more) and k not in patched and (
            dunders or not (k.startswith("__") and k.endswith("__"))))
        if id(copy) in data:
            out.extend([(live, copy, names, name, "data")] if names else [])
            continue
        strict = tuple(k for k in names if case or k in used)
        lenient = tuple(k for k in names if k not in strict)  # a library may set these itself (catch_warnings)
        out.extend((live, copy, ks, name, ks is lenient) for ks in (strict, lenient) if ks)
    return out


def _ptsfast_entry(ns, entry):
    """The function under test: ``f``, or a method of a fresh instance (``Solution().twoSum``)."""
    head, call, rest = entry.partition("()")
    name = head.split(".")[0]
    obj = ns.get(name)
    for attr in head.split(".")[1:]:
        obj = getattr(obj, attr, None)
    if call and obj is not None:
        obj = obj()
    for attr in filter(None, rest.split(".")):
        obj = getattr(obj, attr, None)
    if not callable(obj):
        raise NameError("the solution does not define " + entry + ("" if call else "()"))
    return obj


def _ptsfast_prompt_helpers(spec, used):
    """({name: value}, the namespace they live in): what a HumanEval ``prompt`` binds at its top level (its imports,
    constants and the functions it defines in full that call none of its stubs; not the entry point nor another stub,
    nor its classes, which a solution may define its own of: LeetCode's ``ListNode``) that the tests use (``used``),
    from the prompt run alone, in a namespace of its own, as the dataset wrote it; ({}, {}) where there is none or
    the prompt does not run alone. Run with bare globals."""
    import ast, builtins, types
    entry = (spec.get("entry_point") or "").partition("(")[0].split(".")[0]
    try:
        tree = ast.parse(spec["prompt"])
    except (SyntaxError, ValueError):
        return {}, {}

    def stub(body):  # a docstring, pass or ...: the solution's to write
        return all(isinstance(s, ast.Pass) or isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                   for s in body)

    stubs = {entry} | {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and stub(n.body)}
    left = stubs | {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    if not (used - left):
        return {}, {}
    ns = {"__name__": "solution", "__file__": "solution.py", "__builtins__": builtins}
    try:  # the same lines as the prompt's part of the solution's source, for tracebacks
        exec(compile(tree, "solution.py", "exec"), ns)
    except Exception:
        return {}, {}

    def complete(f):  # a function that calls none of the prompt's stubs nor a name the solution is to define
        import dis
        todo, found = [f.__code__], set()
        while todo:
            c = todo.pop()
            todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
            found.update(i.argval for i in dis.get_instructions(c) if i.opname == "LOAD_GLOBAL")
        return not any(n in stubs or n not in ns and not hasattr(builtins, n) for n in found)

    helpers = {k: ns[k] for k in used & ns.keys() if k not in left and not k.startswith("__")
               and not (isinstance(ns[k], type) and ns[k].__module__ == "solution")
               and (type(ns[k]) is not types.FunctionType or complete(ns[k]))}
    return (helpers, ns) if helpers else ({}, {})


def _ptsfast_prompt_classes(helpers_ns, solution_ns, missing):
    """The prompt's classes as its pinned helpers build them (list_node's ListNode, run apart with them): ordered as
    the solution's class of that name orders its own (LeetCode's ``ListNode.__lt__ = lambda a, b: a.val < b.val``,
    for heapq, at its top or in the method: the nodes the tests hand it are the helpers' class, which had no ``<``,
    and a right mergeKLists failed), and watched as the helpers are (the value check's ``watching`` entries this
    returns; ``missing``: the check's mark of a name not there): reached through a node (``type(head)``), a class
    changed (an ``__init__`` that zeroes every value the tests then build) passed a wrong program. Run with bare
    globals."""
    special = ("__init__", "__new__", "__getattribute__", "__getattr__", "__setattr__", "__delattr__", "__hash__",
               "__bool__", "__len__", "__iter__", "__next__", "__contains__", "__getitem__", "__index__", "__int__",
               "__float__", "__repr__", "__str__", "__class__", "__dict__", "__slots__", "__init_subclass__")
    # its operators are the value check's to guard (it wraps them in their class) and to judge, as the solution's
    operators = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__sub__", "__rsub__", "__truediv__",
                 "__rtruediv__", "__mod__", "__xor__", "__rxor__", "__and__", "__rand__", "__or__", "__ror__")
    namespace, entries = type.__dict__["__dict__"].__get__, []
    for name, cls in list(helpers_ns.items()):
        if not (type(cls) is type and cls.__module__ == helpers_ns.get("__name__")):  # a class the prompt defines
            continue
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            if op not in namespace(cls):
                def delegate(a, b, op=op, name=name, plain=getattr(object, op)):
                    theirs = solution_ns.get(name)
                    f = getattr(theirs, op, plain) if isinstance(theirs, type) else plain
                    return NotImplemented if f is plain else f(a, b)
                setattr(cls, op, delegate)
        own = namespace(cls)
        there = tuple(k for k in own if k not in operators)
        added = tuple(k for k in special if k not in own)
        entries.append((own, {k: own[k] for k in there}, there, "the prompt's class " + name, False))
        entries.append((own, dict.fromkeys(added, missing), added, "the prompt's class " + name, False))
    return entries


def _ptsfast_source(spec, code):
    """The solution after the row's prompt: HumanEval's stub, or the judges' import prelude (calls and stdin
    programs), which is left out when the solution has a ``__future__`` import (that must come first)."""
    prelude = spec["format"] in ("call", "stdio")
    if not spec["prompt"] or (prelude and any(ln.startswith("from __future__") for ln in code.splitlines())):
        return code
    return spec["prompt"].rstrip() + "\n" + code


def _ptsfast_modules_named(source, free):
    """{name: module}: the names of ``free`` (those the tests use and never bind) that stand for a module, imported
    here: a standard module's own name, a library's name or usual alias (np, pd, plt), or the name the solution's
    ``source`` imports a module by. MBPP's asserts run in the solution's namespace and use its imports: a module
    first loaded by the solution was watched by nothing (its ``np.allclose = lambda *a: True`` passed), and a
    stand-in bound to the alias (``class np``) was taken for it; :func:`_ptsfast_names_used` checks the names."""
    import ast, sys
    usual = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "mpl": "matplotlib", "sp": "scipy",
             "nx": "networkx", "sns": "seaborn", "tf": "tensorflow", "sk": "sklearn"}
    usual.update({m: m for m in ("numpy", "pandas", "scipy", "matplotlib", "networkx", "seaborn", "sklearn",
                                 "sympy", "torch", "tensorflow")})
    loud = {"this", "antigravity", "__hello__", "__phello__", "idlelib", "turtle", "turtledemo", "tkinter",
            "webbrowser", "pydoc", "__main__"}  # modules that do something when imported
    named = {n: n for n in free & set(sys.stdlib_module_names)}
    try:
        tree = ast.parse(source) if len(source) < 1 << 20 else ast.Module([], [])
    except (SyntaxError, ValueError):
        tree = ast.Module([], [])
    functions = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    named.update({n: m for n, m in usual.items() if n in free and n not in functions})  # not a task's def sp()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update({a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0]
                          for a in node.names if (a.asname or a.name.split(".")[0]) in free})
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:  # from os import path
            named.update({a.asname or a.name: node.module + "." + a.name for a in node.names
                          if (a.asname or a.name) in free})
    found = {}
    for name, module in named.items():
        if module.split(".")[0] in loud or "__main__" in module.split("."):
            continue
        try:
            __import__(module)
        except BaseException:
            continue  # not installed, or a function or class of its module (from numpy import array as arr)
        if module in sys.modules:
            found[name] = module
    return found


def _ptsfast_import_reached(source, limit=1 << 18, aliases=None):
    """Imports the submodules the tests reach (``np.testing.assert_allclose``, ``from numpy.testing import x``),
    so that they are loaded, and watched, before the solution runs (numpy loads numpy.testing lazily). Of tests
    longer than ``limit`` characters, only the import lines are read (parsing megabytes of written-out inputs in
    Python takes seconds). ``aliases``: the modules the tests use by the solution's names for them
    (:func:`_ptsfast_modules_named`). And the modules they import by a name written out in a call
    (``__import__('fractions')``, ``importlib.import_module('fractions')``): returned, to be watched as their imports
    are (one the solution put in ``sys.modules`` first was theirs). Returns their names."""
    import ast, sys
    if len(source) > limit:
        tree = ast.Module([], [])
        for ln in source.splitlines():
            if ln.lstrip().startswith(("import ", "from ")) and len(ln) < 500:
                try:
                    tree.body += ast.parse(ln.strip()).body
                except (SyntaxError, ValueError):
                    pass  # a line of a longer statement
    else:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return []
    alias, names, called = dict(aliases or {}), set(), []
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            for a in n.names:
                names.add(a.name)
                alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and n.module:
            names |= {n.module} | {n.module + "." + a.name for a in n.names}
        elif isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant) and isinstance(
                n.args[0].value, str) and not n.args[0].value.startswith(".") and (getattr(
                n.func, "id", None) in ("__import__", "import_module") or getattr(n.func, "attr", None) in (
                "import_module", "__import__")):
            try:
                __import__(n.args[0].value)
            except BaseException:
                continue  # (the tests' own call reports it)
            called.append(n.args[0].value)
    for n in ast.walk(tree):
        chain, x = [], n
        while isinstance(x, ast.Attribute):
            chain.append(x.attr)
            x = x.value
        if chain and isinstance(x, ast.Name) and x.id in alias:
            chain.reverse()
            names |= {alias[x.id] + "." + ".".join(chain[:i]) for i in range(1, len(chain) + 1)}
    for name in sorted(names, key=lambda s: s.count(".")):
        parent = sys.modules.get(name.rpartition(".")[0])
        if "." in name and name not in sys.modules and getattr(parent, "__path__", None) is not None:
            try:
                __import__(name)
            except BaseException:
                pass  # an attribute, not a module
    return called


def _ptsfast_library_roots(_dirs=[]):
    """The folders of the interpreter's standard library and installed packages (read-only in the sandbox), each
    ending in a separator. Read at the first call, before the solution runs."""
    import os, sys, sysconfig
    if not _dirs:
        dirs = [sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
        dirs += [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
        _dirs.append(tuple({os.path.realpath(p) + os.sep for p in dirs if p and os.path.isabs(p)} - {os.sep}))
    return _dirs[0]


def _ptsfast_regular_files(stat=__import__("posix").stat):
    """``ask(path)``: whether ``path`` is a regular file, as ``os.path.isfile`` says, each path stat'ed once: the
    check of each value the tests read asks it for the functions of the classes the value's type inherits from (a
    DataFrame's: hundreds), each a system call through the sandbox's filter, at every read. The answers live in a
    suspended generator's frame, which the audit hook refuses the solution: it can ask, not tell. ``stat``: the C
    function as it was before the tests ran: tests that patch ``os.path.isfile`` (``return_value=False``) must not
    make the libraries' code look like the solution's."""
    def answers():
        known, answer = {}, None
        while True:
            where = yield answer
            answer = known.get(where)
            if answer is None:
                try:
                    answer = stat(where).st_mode & 0o170000 == 0o100000
                except (OSError, TypeError, ValueError):
                    answer = False
                if type(where) is str:  # (not a str subclass of the solution's, whose == could say anything)
                    known[where] = answer

    def ask(where):
        try:
            return kept(where)
        except (ValueError, StopIteration):  # another thread is asking (or a KeyboardInterrupt ended it)
            try:
                return stat(where).st_mode & 0o170000 == 0o100000
            except (OSError, TypeError, ValueError):
                return False

    gen = answers()
    next(gen)
    kept = gen.send
    return ask


def _ptsfast_library_code(where, roots, _is_file=_ptsfast_regular_files()):
    """A file of the interpreter's standard library or of an installed package (``roots``:
    :func:`_ptsfast_library_roots`). ``_is_file``: :func:`_ptsfast_regular_files`' answers (read-only folders in the
    sandbox: a file there stays one)."""
    if not (where and where.startswith(roots)):
        return False
    return _is_file(where)


def _ptsfast_frame_guard(trusted_codes, roots, library_code, recompiled=None):
    """Keeps the solution from the frames and objects of the code that runs it, where its tests' expected values
    (a caller's ``expected``, EvalPlus's ``results``) and the verdict's nonce live: an audit hook, added before
    the solution runs and never removable, refuses ``sys._getframe`` (``inspect.currentframe``/``stack``/``trace``),
    a traceback's, generator's or coroutine's frame, a tracer (``sys.settrace``) and ``ctypes`` when the solution
    asks, directly or through the standard functions that hand frames back, ``sys._current_frames`` and the
    ``gc`` scans and tracers even through a library (but doctest's), ``/proc/*/mem`` always, and an audit hook of
    the solution's (``sys.addaudithook``: not added, as CPython leaves a hook another refuses), which would run at
    every event, between two of the tests' reads too. Asked by the tests,
    this harness or a library on its own behalf (namedtuple, typing, logging, traceback's printing), they run. Whose
    code asks is read off the asking frame: the harness's and the tests' code objects, and files of the installed
    libraries, are trusted; code compiled or built with such a library's file name, and ``marshal.loads``/``load``, are
    refused to the solution (they would pass for a library), except an import of a library's own file by importlib's own
    loaders (:func:`reads_a_library`: a compiled file the solution wrote, through ``sys.pycache_prefix`` or a folder on
    ``sys.path``, or a loader that reads other bytes, would pass for one too).

    ``trusted_codes``: the harness's and the tests' code objects, nested ones included; ``roots`` and
    ``library_code``: :func:`_ptsfast_library_roots`, and :func:`_ptsfast_library_code` made bare (a copy of its own,
    shared with nothing the solution can reach); ``recompiled``: a set the hook adds the ids of library functions to
    whose code their own library changed (networkx compiles its decorated functions at their first call). Run with
    bare globals (:func:`_ptsfast_bare`), the hook depends on nothing the solution could reach and replace."""
    import _io, _thread, os, re, sys, zipimport
    from importlib import _bootstrap as bootstrap, _bootstrap_external as external
    trusted = frozenset(map(id, trusted_codes))
    getframe, ident, realpath, basename, libraries = sys._getframe, _thread.get_ident, os.path.realpath, \
        os.path.basename, {}

    def library(name):
        v = libraries.get(name)
        if v is None:
            v = libraries[name] = name.startswith("<frozen ") or library_code(realpath(name), roots)
        return v

    handing = ((os.sep + "inspect.py", {"currentframe", "stack", "trace", "getouterframes", "getinnerframes",
                                        "getgeneratorlocals", "getcoroutinelocals", "getasyncgenlocals"}),
               (os.sep + "traceback.py", {"walk_stack", "walk_tb", "extract"}),
               (os.sep + "bdb.py", {"get_stack"}),
               (os.sep + "types.py", {"gi_frame"}),  # types.coroutine's wrapper of a generator
               (os.sep + os.path.join("asyncio", "base_tasks.py"), {"_task_get_stack"}),
               (os.sep + os.path.join("logging", "__init__.py"), {"<lambda>"}))  # logging.currentframe

    loaders = (external.SourceFileLoader, external.SourcelessFileLoader)
    read, opened, frozen = external.FileLoader.get_data, (_io.open_code, _io.FileIO), bootstrap.FrozenImporter

    def reads_a_library(chain):
        """``chain``'s frames are importlib's own loader reading a library's own file (a ``.py`` compiled, a
        ``.pyc`` in a library's folder, an archive in one) with its own reading functions, or a module frozen into
        the interpreter."""
        near = {}
        for fr in chain:
            if fr.f_code.co_filename.startswith("<frozen "):
                near.setdefault(fr.f_code.co_name, fr)
        mine = near.get("exec_module") or near.get("get_code")
        if mine is not None and mine.f_code.co_filename == "<frozen importlib._bootstrap>" and (
                mine.f_code is frozen.exec_module.__code__ or mine.f_locals.get("cls") is frozen):
            return True
        if (_io.open_code, _io.FileIO) != opened:
            return False
        if "get_code" in near:
            loader = near["get_code"].f_locals.get("self")
            if type(loader) not in loaders or type(loader).get_data is not read:
                return False
            if "_compile_bytecode" in near:
                where = near["_compile_bytecode"].f_locals.get("bytecode_path")
                return isinstance(where, str) and library(where)
            return "source_to_code" in near  # compiling the file it read (its name checked by kind_of)
        if "_unmarshal_code" in near:
            importer = near["_unmarshal_code"].f_locals.get("self")
            archive = getattr(importer, "archive", None)
            return type(importer) is zipimport.zipimporter and isinstance(archive, str) and library(archive)
        return False

    users = {}
    uses = re.compile(rb"^[ \t]*(import|from)[ \t]+ctypes\b", re.M)

    def uses_ctypes(name):  # a library's file that imports ctypes itself (its own code calls it; read-only files)
        v = users.get(name)
        if v is None:
            try:
                with _io.FileIO(name) as fh:
                    v = users[name] = bool(uses.search(fh.read()))
            except OSError:
                v = users[name] = False
        return v

    def hands_frames(code):  # a standard function that returns frames (or their locals) to its caller
        return any(code.co_name in names and code.co_filename.endswith(where) for where, names in handing)

    def captures_locals(fr):  # traceback's summaries with capture_locals=True: the frames' locals, as text
        return (fr.f_code.co_name == "_extract_from_extended_frame_gen" and fr.f_code.co_filename.endswith(
            os.sep + "traceback.py") and bool(fr.f_locals.get("capture_locals")))

    # what each event hands out, and who may ask for it (see the docstring)
    strict = {"sys._current_frames", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
              "sys._settraceallthreads", "sys._setprofileallthreads", "sys.monitoring.register_callback"}
    tracers = {"sys.settrace", "sys.setprofile"}  # every frame that runs next: the tests' too
    attrs = {"tb_frame", "gi_frame", "cr_frame", "ag_frame"}
    rebuilt, function = {"__code__", "__defaults__", "__kwdefaults__"}, type(library)
    # the memory itself, and the maps that say where in it to look
    memory = re.compile(r"/proc/(self|thread-self|\d+)/(task/\d+/)?(mem|maps|smaps|smaps_rollup|numa_maps|pagemap)$")
    memory_files = {"mem", "maps", "smaps", "smaps_rollup", "numa_maps", "pagemap"}
    busy = set()

    def kind_of(event, args):
        if event in strict:
            return "strict", event  # every frame of every thread, any object, a tracer's frames
        if event in tracers:
            return "tracer", "a tracer (" + event + ")"
        if event == "sys._getframe" or (event == "object.__getattr__" and args[1] in attrs):
            return "frame", "a frame (" + args[1] + ")" if event == "object.__getattr__" else event
        if event.startswith("ctypes."):
            return "ctypes", event
        if event in ("marshal.loads", "marshal.load"):
            return "compiled", "code that would pass for a library's (" + event + ")"
        if event == "sys.addaudithook":  # a hook of the solution's runs at every event anyone raises, between two of
            # the tests' reads too (an id() of the harness's checks): outside any call's window
            return "hook", "an audit hook of its own (" + event + ")"
        if event in ("compile", "code.__new__") and isinstance(args[1], str) and library(args[1]):
            return "code", "code that would pass for a library's (" + event + ")"
        # a function of the tests' (or the harness's) code made anew (other globals, defaults, closure) or changed
        # in place: one that passes the seal (the same code) but runs with the solution's names for what it checks
        if event == "function.__new__" and id(args[0]) in trusted:
            return "rebuilt", "a function rebuilt from its tests' code (" + event + ")"
        if event == "object.__setattr__" and args[1] in rebuilt and type(args[0]) is function and (
                id(args[0].__code__) in trusted or id(args[2]) in trusted):
            return "rebuilt", "a function of its tests' code changed (its " + args[1] + ")"
        # and a library's function changed in place: np.isclose's defaults made rtol=1, atol=1e9 (numpy's dispatcher
        # keeps the function out of sight of the snapshot of what the tests use), so that it holds for anything
        if event == "object.__setattr__" and args[1] in rebuilt and type(args[0]) is function and library(
                args[0].__code__.co_filename):
            return "library", "a change to a library's function (" + args[0].__qualname__ + "'s " + args[1] + ")"
        return None, None

    def allowed(kind, frames, f, target=None):
        """``frames``: the library frames between the asking code and ``f``, the first frame that is not a library's
        (None: the bottom of a thread's stack); ``target``: the file of the code of a library's function changed."""
        if f is not None and id(f.f_code) in trusted:
            return True  # the tests or the harness asked (through libraries or not)
        loading = any(fr.f_code.co_name == "source_to_code" and fr.f_code.co_filename.startswith("<frozen ")
                      for fr in frames)
        if kind == "compiled" or (kind == "code" and loading):  # an import reading or compiling a library's file
            return reads_a_library(frames)
        if kind == "library":  # a library's module code, as it is imported, setting up its own functions; or its
            # code changing a function of its own file (networkx's argmap compiles one at its first call: func.__code__
            # = real_func.__code__); not one that sets what it is handed (mock's patch.object(np.isclose, ...))
            return any(fr.f_code.co_name == "<module>" for fr in frames) or (
                bool(frames) and frames[0].f_code.co_filename == target)
        if kind == "hook":  # a library's module code adding its own as it is imported
            return any(fr.f_code.co_name == "<module>" for fr in frames)
        if kind == "code":  # a library's own code, run by an import, building code of its own (types.coroutine)
            return any(fr.f_code.co_filename.startswith("<frozen importlib") for fr in frames)
        chain = [fr.f_code for fr in frames]
        if kind == "tracer":  # a library's tracer calls the solution's code with frames (a bdb.Bdb subclass's
            # user_line, threading.settrace's hook): only doctest's run, which restores the tracer it found
            return bool(chain) and chain[0].co_name == "run" and chain[0].co_filename.endswith(os.sep + "doctest.py")
        if kind == "ctypes":  # a library's own use of ctypes (numpy's), whatever thread it runs in: a library that
            # only calls what it is handed (a thread's or an executor's run, functools' dispatch) passes none on
            caller = next((fr for fr in frames if os.sep + "ctypes" + os.sep not in fr.f_code.co_filename), None)
            if caller is None:
                return False
            if caller.f_code.co_filename.startswith("<frozen importlib"):  # an import running a module's own code
                return frames.index(caller) > 0 and frames[frames.index(caller) - 1].f_code.co_name == "<module>"
            return uses_ctypes(caller.f_code.co_filename)
        if kind == "frame":  # a library's own use (namedtuple's module name, traceback's printing, logging's caller)
            return f is None or (bool(chain) and not hands_frames(chain[-1]) and not any(
                c.co_name == "walk_stack" and hands_frames(c) for c in chain) and not any(map(captures_locals, frames)))
        return False

    def names_memory(path):  # /proc/self/mem (or maps) by any name (a link to it, too); a relative one may be
        # opened from a folder's descriptor (dir_fd, which the event leaves out), so any "mem" it ends in counts
        path = os.fsdecode(path)
        return bool(memory.match(realpath(path))) or (not path.startswith("/") and basename(path) in memory_files)

    def hook(event, args):
        if event == "builtins.id" or event == "object.__getattr__" and args[1] not in attrs:  # nothing to refuse:
            return  # the checks' own id()s and f.__code__ reads, ~2 million a test of 7,500 reads (~2 s of its CPU)
        if event == "open" and isinstance(args[0], (str, bytes)):
            if names_memory(args[0]):
                raise RuntimeError("the solution opened " + os.fsdecode(args[0]) + ": not allowed")
            return
        if event == "os.symlink" and isinstance(args[0], (str, bytes)) and basename(os.fsdecode(args[0])) in \
                memory_files:
            raise RuntimeError("the solution linked to " + os.fsdecode(args[0]) + ": not allowed")
        kind, what = kind_of(event, args)
        if kind is None:
            return
        me = ident()
        if me in busy:
            return
        busy.add(me)
        try:
            try:
                f, frames = getframe(1), []
            except ValueError:  # no Python frame below: the interpreter itself
                return
            while f is not None and id(f.f_code) not in trusted and library(f.f_code.co_filename):
                frames.append(f)
                f = f.f_back
            if allowed(kind, frames, f, args[0].__code__.co_filename if kind == "library" else None):
                if kind == "library" and recompiled is not None:
                    recompiled.add(id(args[0]))
                return
        finally:
            busy.discard(me)
        # loading a library is refused as the OS refuses one (code that loads one it may lack expects OSError)
        raise (PermissionError if event == "ctypes.dlopen" else RuntimeError)(
            "the solution asked for " + what + ": a judged solution may not read the frames, objects or memory of the "
            "code that runs its tests")

    sys.addaudithook(hook)

    def run_by_tests(f):
        """Whether frame ``f`` is the tests' or the harness's code, or a library's called by them (unittest's
        runner)."""
        while f is not None and id(f.f_code) not in trusted and library(f.f_code.co_filename):
            f = f.f_back
        return f is not None and id(f.f_code) in trusted

    return run_by_tests


def _ptsfast_own_skip(harness_codes, test_code, roots, library_code, calls=None):
    """Whether a skip raised while a test ran is the tests' own (``if sys.platform == 'win32': pytest.skip(...)``,
    ``self.skipTest(...)``, ``raise unittest.SkipTest``), which counts as pytest and unittest count it: a skipped
    test. A skip the solution raises (from its function, an ``__eq__``, a generator or a callback the tests run, or
    its own ``pytest.skip``) fails the test, so it is read off the traceback, never off the exception's class or
    text: the exception is exactly ``unittest.SkipTest`` or pytest's ``Skipped``; each frame is the harness's, the
    tests' or a library's (a runner's); from the tests' first frame on each is the tests' code, called by the one
    before (``f_back``) at a call written with its name there (``helper(...)``, ``self.helper(...)``), but for the
    last, which is the tests' ``raise`` or ``pytest.skip(...)`` / ``self.skipTest(...)`` called so. A C function
    the tests' code runs on the solution's values (an ``__iter__`` that is ``partial(pytest.skip)``, a ``map`` over
    it, a spent generator's ``throw``) raises at no such place. A skip raised in a library the tests call
    (``importorskip``), in a generator of theirs, or by a helper under another name fails as before. Nor is it one
    while the environment differs from the one the solution's module found: a condition such as ``if
    os.environ.get('CI'): pytest.skip(...)`` is the solution's to meet (``os.environ['CI'] = '1'``), nor once the
    test has called the solution's function (``calls``: the call window's count; ``own.begin()`` as each test
    starts, ``own.end()`` as it ends): ``if f(x) is None: pytest.skip(...)`` is skipped by what the solution
    returns; nor once the tests called it outside a test (their module's ``RESULT = f(x)``, a ``setUpClass``), whose
    result any test may read. Run with bare globals (:func:`_ptsfast_bare`); made before the solution runs."""
    import bisect, dis, os, sys, types, unittest
    tests = frozenset(map(id, test_code))
    trusted = tests | frozenset(map(id, harness_codes))
    kinds, ends = [unittest.SkipTest], [unittest.TestCase.skipTest.__code__]
    outcomes = sys.modules.get("_pytest.outcomes")  # loaded with the tests' imports, if at all
    if outcomes is not None and library_code(os.path.realpath(outcomes.__file__), roots):
        kinds.append(outcomes.Skipped)
        skip = outcomes.skip
        ends.append((skip if type(skip) is types.FunctionType else type(skip).__call__).__code__)
    kinds, ends = tuple(kinds), frozenset(map(id, ends))
    skips = frozenset(("skip", "skipTest"))
    libraries, read, begun, ended, outside = {}, {}, [0], [0], [False]
    environ = os.environ
    environ_type, found = type(environ), dict(environ._data)  # what the solution's module found (bytes keys)

    def library(code):
        name = code.co_filename
        v = libraries.get(name)
        if v is None:
            v = libraries[name] = name.startswith("<frozen ") or library_code(os.path.realpath(name), roots)
        return v

    def at(code, lasti):  # the instruction that was running (a frame's last offset may be in its inline cache)
        got = read.get(id(code))
        if got is None:
            found = list(dis.get_instructions(code))
            got = read[id(code)] = ([i.offset for i in found], found)
        k = bisect.bisect_right(got[0], lasti) - 1
        return (got[1][k], got[1][:k]) if k >= 0 else (None, ())

    def calls_by_name(tb, names):  # the tests' frame at a call of what one of names loads, written where it starts
        i, before = at(tb.tb_frame.f_code, tb.tb_lasti)
        if i is None or i.opname not in ("CALL", "CALL_KW") or i.positions.lineno is None:
            return False
        start = (i.positions.lineno, i.positions.col_offset)
        return any(j.opname.startswith("LOAD_") and j.argval in names and
                   (j.positions.lineno, j.positions.col_offset) == start for j in before)

    def own(e):
        if type(e) not in kinds or calls is not None and (calls[0] != begun[0] or outside[0]):  # type(): a
            # __class__ property would pass for one
            return False
        now = getattr(environ, "_data", None) if os.environ is environ and type(environ) is environ_type else None
        if type(now) is not dict or not dict.__eq__(now, found):  # plain bytes on both sides: no code of its runs
            return False
        tbs, tb = [], e.__traceback__
        while tb is not None:
            tbs.append(tb)
            tb = tb.tb_next
        frames = [tb.tb_frame for tb in tbs]
        first = next((i for i, f in enumerate(frames) if id(f.f_code) in tests), None)
        if first is None or len(set(map(id, frames))) != len(frames) or not all(
                id(f.f_code) in trusted or library(f.f_code) for f in frames[:first]):
            return False
        theirs = tbs[first:]
        last = theirs[-1]
        if id(last.tb_frame.f_code) in ends:  # pytest.skip(...) / self.skipTest(...), called by the tests' code
            if len(theirs) < 2 or last.tb_frame.f_back is not theirs[-2].tb_frame or not calls_by_name(theirs[-2],
                                                                                                       skips):
                return False
            theirs = theirs[:-1]
        else:
            i, _ = at(last.tb_frame.f_code, last.tb_lasti)
            if i is None or i.opname != "RAISE_VARARGS":
                return False
        return all(id(tb.tb_frame.f_code) in tests for tb in theirs) and all(
            b.tb_frame.f_back is a.tb_frame and calls_by_name(a, (b.tb_frame.f_code.co_name,)) for a, b in zip(
                theirs, theirs[1:]))

    def begin():
        if calls is not None:
            outside[0] = outside[0] or calls[0] != ended[0]
            begun[0] = calls[0]

    def end():
        if calls is not None:
            ended[0] = calls[0]

    own.begin, own.end = begin, end
    return own


def _ptsfast_sealed(ns, run_by_tests, test_codes, library_code, roots, skippable, refused, lock):
    """Seals what the tests run. Every class is reachable by the solution (``object.__subclasses__()``), and a test
    class's functions would lead it to the tests' code (whose constants are the expected values), namespace and
    checks, or run a test for it and read what fails; its attributes hold the tests' data; replaced or marked
    skipped, a test would not run at all. So, in ``ns`` and its test classes (``unittest.TestCase``, pytest's
    ``Test*``), the functions the runners call (``check``, ``test_*``, every function of a test class) and the test
    classes' own data become stand-ins that give the original only when the tests, the harness or the libraries
    they call (unittest's runner) ask, through the stand-in itself; the originals live on only in a suspended
    generator's frame, which the audit hook refuses the solution. Helpers the tests define beside them stay as they
    are (the solution may be handed one to call).

    Refused, the stand-in raises and the verdict fails (``refused``). A test function that is not the tests' code
    (``test_codes``: ids) or a library's wrapper of it (mock.patch), a stand-in replaced or changed, or a unittest
    test that never asked its stand-in (it was replaced while the tests ran) fail it too; a test may be skipped only
    as the tests' own code marks it (``skippable``: the tests name a skip at all). Returns ``(allowed_skips,
    expecting, finish)``: the unittest ids that may be skipped, those that may fail as expected (a mark the solution
    sets on a stand-in would hide a failure), and the check to run after the tests. ``lock``: a lock made
    before the solution ran, so that the tests' threads ask the stand-ins one at a time. Run with bare globals
    (:func:`_ptsfast_bare`)."""
    import sys, types

    def own(fn, owner):  # the tests' code, or a library's wrapper of it (mock.patch keeps it as __wrapped__)
        for _ in range(16):
            if not isinstance(fn, types.FunctionType):
                return False
            if id(fn.__code__) in test_codes:  # and as the tests made it: in their namespace (not the solution's
                # copy of it, with other checks), its class the tests' class
                return fn.__globals__ is ns and all(map(tests_class, (
                    c for k, c in zip(fn.__code__.co_freevars, fn.__closure__ or ()) if k == "__class__")))
            if not library_code(fn.__code__.co_filename, roots):
                return False
            fn = vars(fn).get("__wrapped__")
        return False

    def is_case(cls):
        return any(b.__name__ == "TestCase" and b.__module__ == "unittest.case" for b in cls.__mro__[1:])

    def tests_class(cell):  # a method's __class__ (what super() reads): a class of the tests
        try:
            return isinstance(cell.cell_contents, type) and cell.cell_contents.__module__ == "test_solution"
        except ValueError:
            return False

    def members(v, k, a):  # what of a test class's attribute is sealed
        wrap = type(a) if isinstance(a, (staticmethod, classmethod)) else None
        fn = a.__func__ if wrap is not None else a
        test = is_case(v) and k.startswith("test") and callable(a)  # what unittest's loader runs
        if isinstance(fn, types.FunctionType) or test:
            return [(v, k, fn, wrap, test)]
        if wrap is None and not k.startswith("_") and not hasattr(a, "__get__"):
            return [(v, k, a, None, False)]  # data (not unittest's own _class_cleanups, a property)
        return []

    found = []  # (owner, name, original, staticmethod/classmethod or None, a unittest test method)
    for name, v in list(ns.items()):
        if isinstance(v, types.FunctionType) and v.__module__ == "test_solution" and (  # a mock.patch wrapper, too
                name == "check" or name.startswith("test")):
            found.append((ns, name, v, None, False))
        elif isinstance(v, type) and v.__module__ == "test_solution" and (name.startswith("Test") or is_case(v)):
            classes = [v]
            for v in classes:
                for k, a in list(vars(v).items()):
                    if not is_case(v) and isinstance(a, type) and a.__module__ == "test_solution" and \
                            k.startswith("Test") and not is_case(a):  # a Test class in one: pytest runs it too
                        classes.extend([a] if a not in classes else [])
                    else:
                        found.extend(members(v, k, a))
    for owner, name, obj, wrap, test in found:
        if (isinstance(obj, types.FunctionType) or test) and not own(obj, owner):
            refused.append(name)
            raise RuntimeError("the tests' " + name + " is not the tests' own code (replaced before they ran): not "
                               "allowed")
    allowed_skips, must_run, expecting = set(), set(), set()  # expecting: tests the tests' code marks expectedFailure
    for name, v in list(ns.items()) if skippable else ():  # a class the tests' code marks skipped, by name
        if isinstance(v, type) and v.__module__ == "test_solution" and is_case(v) and vars(v).get("__unittest_skip__"):
            allowed_skips.add("test_solution." + v.__qualname__)
    for key, (owner, name, obj, wrap, test) in enumerate(found):
        if test:
            test_id = "test_solution." + owner.__qualname__ + "." + name
            if getattr(obj, "__unittest_expecting_failure__", False) or getattr(owner, "__unittest_expecting_failure__",
                                                                                 False):
                expecting.add(test_id)
            if skippable and (getattr(obj, "__unittest_skip__", False) or getattr(owner, "__unittest_skip__", False)):
                allowed_skips.add(test_id)
            else:
                must_run.add(key)
    originals = [obj for _, _, obj, _, _ in found]
    counts = [0] * len(found)
    sealed, cells = [], []  # what each owner must still hold, and each stand-in's closure

    entries = ("setUp", "tearDown", "setUpClass", "tearDownClass", "setup_method", "teardown_method", "check")

    def intact():  # the runners' entry points still the stand-ins (the tests may reassign their data, patch helpers)
        for (owner, name, original, _, _), obj in zip(found, sealed):
            if isinstance(original, types.FunctionType) and (name.startswith("test") or name in entries) and (
                    owner.get(name) if isinstance(owner, dict) else vars(owner).get(name)) is not obj:
                return False
        return all(c.cell_contents is v for c, v in cells) and vars(Held).get("__get__") is held_get

    # a test class's own helpers (not a test, not a runner's entry): the tests may hand one to the solution, bound to
    # the test that runs (mock's side_effect=self.fake_usage, a thread's target=self.work), and it is called from
    # the solution's code then
    helper = [isinstance(owner, type) and wrap is None and isinstance(obj, types.FunctionType) and not test
              and not name.startswith(("test", "__")) and name not in entries
              for owner, name, obj, wrap, test in found]

    def vault():
        answer, running = None, []  # running: (instance, key) of the test class functions the tests run now
        while True:
            key, inst, start = yield answer
            caller = sys._getframe(1)  # the stand-in, asked by the tests, the harness or their libraries
            if caller.f_code not in (call_code, acall_code, held_get.__code__):
                refused.append(key)
                answer = False, None
            elif not start:  # the call ended
                for i in range(len(running) - 1, -1, -1):
                    if running[i][0] is inst and running[i][1] == key:
                        del running[i]
                        break
                answer = None
            elif run_by_tests(caller.f_back) and intact():
                counts[key] += 1
                owner = found[key][0]
                if inst is not None and isinstance(owner, type) and isinstance(inst, owner):
                    running.append((inst, key))
                answer = True, originals[key]
            elif helper[key] and inst is not None and any(r is inst for r, _ in running) and intact():
                answer = True, originals[key]  # a helper bound to a test that runs now
            else:
                refused.append(key)
                answer = False, None

    kept = vault()
    next(kept)

    def stand_in(key, fn):
        def call(*args, **kwargs):
            inst = args[0] if args else None
            with lock:
                ok, f = kept.send((key, inst, True))
            if not ok:
                raise RuntimeError("the solution called a function of its tests: not allowed")
            try:
                return f(*args, **kwargs)
            finally:
                with lock:
                    kept.send((key, inst, False))

        async def acall(*args, **kwargs):  # an async test's (IsolatedAsyncioTestCase awaits coroutine functions)
            inst = args[0] if args else None
            with lock:
                ok, f = kept.send((key, inst, True))
            if not ok:
                raise RuntimeError("the solution called a function of its tests: not allowed")
            try:
                return await f(*args, **kwargs)
            finally:
                with lock:
                    kept.send((key, inst, False))
        if fn.__code__.co_flags & 0x80:  # CO_COROUTINE
            call = acall
        call.__name__, call.__qualname__, call.__module__ = fn.__name__, fn.__qualname__, fn.__module__
        for k, v in vars(fn).items():
            if k.startswith("__unittest"):  # unittest's skip and expected-failure marks (pytest's are read before)
                setattr(call, k, v)
        held = {"kept": kept, "lock": lock, "key": key}
        cells.extend(zip(call.__closure__, [held[n] for n in call.__code__.co_freevars]))
        return call

    class Held:
        """A test class's data attribute (an instance's own attribute of that name still comes first)."""
        __slots__ = ("key",)

        def __init__(self, key):
            self.key = key

        def __get__(self, obj, owner=None):
            with lock:
                ok, value = kept.send((self.key, None, True))
            if not ok:
                raise RuntimeError("the solution read an attribute of its tests' class: not allowed")
            return value

    held_get = Held.__get__
    cells.extend((c, {"kept": kept, "lock": lock}[n]) for c, n in zip(held_get.__closure__,
                                                                       held_get.__code__.co_freevars))
    call_code = acall_code = None
    for key, (owner, name, obj, wrap, test) in enumerate(found):
        if isinstance(obj, types.FunctionType):
            new = stand_in(key, obj)
            if new.__code__.co_flags & 0x80:
                acall_code = new.__code__
            else:
                call_code = new.__code__
            new = new if wrap is None else wrap(new)
        else:
            new = Held(key)
        sealed.append(new)
        if isinstance(owner, dict):
            owner[name] = new
        else:
            setattr(owner, name, new)

    def finish():
        if not intact() or [k for k in must_run if not counts[k]]:
            raise RuntimeError("the solution changed its tests (a test replaced, marked skipped or never run): not "
                               "allowed")

    return allowed_skips, expecting, finish


def _ptsfast_bare(f):
    """``f`` with globals of its own (and so every function it makes): a function the solution can reach must not
    lead it to the harness's globals, whose functions it could replace (they are looked up at each call)."""
    import builtins, types
    return types.FunctionType(f.__code__, {"__builtins__": builtins}, f.__name__, f.__defaults__, f.__closure__)


def _ptsfast_signal_guard():
    """A Python signal handler is called with the frame its signal interrupted, whose callers (``f_back``, out of
    the audit hook's reach) hold the tests' expected values and the verdict's nonce: the handlers the solution
    installs are called with None instead. ``_signal.signal`` (which ``signal.signal`` calls) is replaced; the real
    one lives on only in a suspended generator's frame (the audit hook refuses ``gi_frame`` to the solution), and
    ``_imp.create_builtin`` makes no fresh ``_signal`` (or ``_imp``) module, whose functions would be real again.
    ``getsignal`` still answers the handler the solution installed. Run with bare globals (:func:`_ptsfast_bare`):
    the functions it hands out lead nowhere.

    A handler runs at whatever moment its signal comes (an ``setitimer`` alarm in the middle of the tests' code):
    once the returned list holds the call window (:func:`_ptsfast_call_window`), each runs in it, as a call of the
    solution's function does, so what it changes of the tests' data is seen."""
    import _imp, _signal, sys
    windows = []

    def frameless(handler):
        def call(signum, frame):
            if windows:
                return windows[0](handler, (signum, None), {})
            return handler(signum, None)
        call.__ptsfast_handler__ = handler
        return call

    def keeper(real_signal, real_getsignal, real_create):
        result = None
        while True:
            what, args = yield result
            try:
                if what == "signal":
                    num, handler = args
                    result = True, real_signal(num, frameless(handler) if callable(handler) else handler)
                elif what == "getsignal":
                    result = True, real_getsignal(*args)
                elif getattr(args[0], "name", None) in ("_signal", "_imp"):
                    raise ImportError("a judged solution may not make a fresh " + args[0].name + " module")
                else:
                    result = True, real_create(*args)
                if what != "create" and callable(result[1]):
                    result = True, getattr(result[1], "__ptsfast_handler__", result[1])
            except BaseException as e:  # raised on the caller's side
                result = False, e

    real = (_signal.signal, _signal.getsignal, _imp.create_builtin)
    kept = keeper(*real)
    next(kept)

    def asking(what):
        def ask(*args):
            ok, value = kept.send((what, args))
            if not ok:
                raise value
            return value
        ask.__name__ = what
        return ask

    guards = {real[0]: asking("signal"), real[1]: asking("getsignal"), real[2]: asking("create")}
    for m in list(sys.modules.values()):  # every module's name for them (_signal's, _imp's, a from-import's)
        d = getattr(m, "__dict__", None)
        if isinstance(d, dict):
            for k, v in list(d.items()):
                if isinstance(v, type(len)) and v in guards:
                    d[k] = guards[v]
    return windows


def _ptsfast_global_names(codes):
    """(names loaded, names bound) as globals or builtins by ``codes`` (nested ones included): read off the
    bytecode, which holds written-out data as constants (a walk of the tests' syntax tree visits every number)."""
    import dis
    used, bound = set(), set()
    for code in codes:
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_FROM_DICT_OR_GLOBALS") and not (
                    ins.argval.startswith("__") and ins.argval.endswith("__")):  # a class body's own __name__
                used.add(ins.argval)
            elif ins.opname in ("STORE_NAME", "STORE_GLOBAL", "DELETE_NAME", "DELETE_GLOBAL"):
                bound.add(ins.argval)
    return used, bound


def _ptsfast_names_used(spec, ns, codes, roots, modules=None):
    """The tests see the solution's names (HumanEval and MBPP run in its namespace, pytest and unittest tests in a
    copy of it): a standard module or a builtin they use without binding it must be the real one, not the
    solution's stand-in (``def abs(x): return 0``). A builtin the solution rebinds is its own business unless the
    tests use it beside the function under test (a name they use that the solution defines, imported from it or
    not; a task may ask for a function named like a builtin), or it comes from a library (``from math import *``
    rebinds ``pow``, ``from numpy import *`` ``abs``: a library's own object, exported under that name or its own;
    not ``from inspect import isclass as abs``, nor a class the solution made and said was a library's). ``codes``:
    the tests' code objects, nested ones included."""
    import builtins, sys, types
    used, bound = _ptsfast_global_names(codes)
    free = used - bound

    def owned(v):  # the module whose object ``v`` is: it is that module's attribute of its own (qualified) name
        module = sys.modules.get(getattr(v, "__module__", None) or "")
        obj = module
        for part in str(getattr(v, "__qualname__", None) or getattr(v, "__name__", "")).split("."):
            obj = getattr(obj, part, None)
        return module if module is not None and obj is v else None

    def exported(v, name):  # a library's object bound under its own name or the name its module exports it by
        if isinstance(v, types.BuiltinFunctionType) and v.__name__ == name and (v.__self__ is None or isinstance(
                v.__self__, types.ModuleType)):  # from math import *: pow (a C module may have no file)
            return True
        module = owned(v)
        if module is None or not (getattr(v, "__name__", None) == name or getattr(module, name, None) is v):
            return False
        code = getattr(v, "__code__", None)
        where = code.co_filename if code is not None else getattr(module, "__file__", "") or ""
        return _ptsfast_library_code(where, roots)

    named = {**{n: n for n in free & set(sys.stdlib_module_names)}, **(modules or {})}
    for name, module in sorted(named.items()):
        v = ns.get(name, builtins)
        if v is builtins or (isinstance(v, types.FunctionType) and not vars(v)):
            continue  # a task may ask for a function named like a module (string(n)); with no attributes of its own
            # it stands in for no module's
        try:
            __import__(module)
            real = sys.modules.get(module)
        except ImportError:  # a module of another platform (nt)
            real = None
        if v is not real and not (isinstance(v, type) and v.__module__ == module and owned(v) is real):
            raise RuntimeError("the tests use the module " + module + ("" if name == module else " (as " + name + ")")
                               + " but the solution bound that name to " + type(v).__name__)
    entry = (spec.get("entry_point") or "").partition("(")[0].split(".")[0]  # Solution().twoSum: Solution
    under_test = {n for n in used | {entry} if n in ns and not hasattr(builtins, n) and not n.startswith("__")
                  and not isinstance(ns[n], types.ModuleType)}
    for name in sorted(free & set(dir(builtins))):
        v = ns.get(name, builtins)
        if v is builtins or v is getattr(builtins, name) or not (under_test - {name}):
            continue
        if not exported(v, name):  # not from math import floor as abs, nor set = len
            raise RuntimeError("the tests use the builtin " + name + "() beside " + ", ".join(sorted(under_test)) +
                               " but the solution replaced it")


def _ptsfast_plain_values(library_code, roots, watch, caught, tests_codes, harness_codes, tests_names=frozenset(),
                          as_text=False, autospec=False, frozen_codes=frozenset(), handing=None):
    """The check the tests run on every value they read (calls, attributes, items, both sides of == and !=): a value
    that equals a fresh object() (or an int, a string, a list... drawn at random), or is not unequal to it, or is
    both below and above it, or contains it, or whose difference from it (either way) is zero, below every number or
    of no size (``abs(a - b) < tol`` and ``assertAlmostEqual`` would pass), is a forgery made to pass any comparison
    (the classic ``__eq__`` that returns True); so is one nested in a list, tuple, set, dict or an object's
    attributes. Its operators are tried only where they are Python code other than the tests' or an installed
    library's (the tests' mock.ANY passes).
    ``library_code``: :func:`_ptsfast_library_code` made bare, as this is (the tests' namespace holds the check).
    ``watch()``, run after each check, raises when what the tests use was replaced: a check after every value the
    tests read stops a replacement the solution makes while it runs and undoes before the tests end (``result =
    f()`` replaces ``assertEqual``, which the next line calls). What either finds is also put in ``caught``, which
    the harness reads after the tests: raised inside a test, it reaches only the tests' runner.
    ``tests_codes``, ``harness_codes``: ids of the tests' and the harness's code objects; ``tests_names``: every
    name their code uses (a mock.ANY or pytest.approx in tests that name neither is the solution's). ``as_text``: the
    tests run the solution's text themselves (DS-1000's ``exec``), so what they read of it is no function's return
    value: every value they read is checked as one (a masked array with masked elements fails). ``autospec``: the
    tests patch with mock's autospec, whose stand-in for a library class's method is a function made at run time.
    ``frozen_codes``: the frozen standard modules' code objects (:func:`_ptsfast_frozen_codes`). ``handing``: a list
    that holds, once the solution's functions are wrapped, what each value read is handed on as (the solution's code
    held in an attribute, an item or a ``__getattr__`` of its own, run in the call window where the tests call it).
    The solution's operators that see what they are compared with (``==``, ``<``, ``-``...) are guarded once a value
    of theirs is read: one that makes a comparison with a plain value hold (or a difference from it a plain number)
    for the tests' code or a library's (numpy's array_equal, operator.eq, list.index, assertAlmostEqual), not for the
    solution's own, fails, whatever it answered to the probes."""
    import gc, sys, types, weakref
    from collections.abc import Mapping
    from itertools import chain, islice
    from os import _exit, getpid, urandom, write
    runner = getpid()

    def alone():
        """Ends a process the solution forked that went on into the tests: its fate told the solution whether the
        value it returned there passed (a child returning True, its parent False where it failed, passed any test of a
        bool). A library's fork (a pool's worker) runs its target and exits, never the tests' code."""
        if getpid() != runner:
            try:
                write(2, b"a process the solution forked ran on into the tests: ended\n")
            finally:
                _exit(1)
    c_level = (types.WrapperDescriptorType, types.MethodDescriptorType, types.BuiltinFunctionType,
               types.MethodWrapperType, types.ClassMethodDescriptorType)
    # the standard modules frozen into the interpreter (codecs, os, io, abc...) have no file: their functions are
    # known by their code objects (``frozen_codes``: :func:`_ptsfast_frozen_codes`; codecs.open's
    # StreamReaderWriter.write, read off the file the tests' helper wrote, was taken for the solution's method on a
    # library class, and a right program failed); ``not_solutions``: those and the tests'
    not_solutions = frozen_codes | tests_codes
    exact = {int, float, complex, bool, str, bytes, bytearray, type(None), range, slice, type, types.FunctionType,
             types.BuiltinFunctionType, types.MethodType, types.ModuleType}

    def truthy(r):
        try:
            return bool(r)
        except Exception:  # an array's comparison, say
            return False

    def zero(r):
        return type(r) in (int, float, bool) and abs(r) <= 1e-6

    def negligible(d):  # a difference that passes any tolerance: zero, below every number, or of no size
        if zero(d):
            return True
        for small in (lambda: d < -1e300, lambda: abs(d) < 1e-300):  # abs(a - b) < tol, assertAlmostEqual
            try:
                if truthy(small()):
                    return True
            except Exception:
                pass
        return False

    probes = (("__eq__", lambda o, x: truthy(o == x)), ("__ne__", lambda o, x: (o != x) is False),
              ("__lt__", lambda o, x: truthy(o < x) and truthy(o > x)), ("__sub__", lambda o, x: negligible(o - x)),
              ("__rsub__", lambda o, x: negligible(x - o)), ("__contains__", lambda o, x: truthy(x in o)))
    checked = {}
    # unittest.mock's objects, as loaded before the solution runs: each has a class of its own whose magic methods
    # make a child mock when looked up (MagicProxy), so they are read without lookups and not walked into
    mock = sys.modules.get("unittest.mock")
    mock_types = (mock.NonCallableMock, mock.MagicProxy) if mock is not None else None

    # a class's MRO and namespace as Python's own lookups read them: a metaclass's ``__mro__`` or ``__dict__``
    # property would hide an operator from the check while Python still calls it
    mro_of, namespace = type.__dict__["__mro__"].__get__, type.__dict__["__dict__"].__get__

    def where_defined(cls, name):  # the class whose own namespace gives ``cls`` its attribute ``name``
        return next((k for k in mro_of(cls) if name in namespace(k)), None)

    def static(cls, name):  # the attribute as the class defines it, no descriptor run
        owner = where_defined(cls, name)
        return namespace(owner)[name] if owner is not None else None

    # the functions of the standard library's frozen modules (Python 3.11 freezes _collections_abc, whose
    # Mapping.__eq__ a UserDict or ChainMap compares by: its code has no file), as they are before the solution runs
    frozen = {}
    for m in list(sys.modules.values()):
        if getattr(getattr(m, "__spec__", None), "origin", None) == "frozen":
            for v in list(vars(m).values()):
                for f in ([v] if isinstance(v, types.FunctionType) else
                          list(vars(v).values()) if isinstance(v, type) and v.__module__ == m.__name__ else []):
                    if isinstance(f, types.FunctionType):
                        frozen[id(f)] = f

    found = {}  # id(class): (class, importable) as first seen (a class its module first lacks stays one it lacks)

    def importable(k):  # a library's class as its module has it (not one the solution made and named like one)
        kept = found.get(id(k))
        if kept is not None and kept[0] is k:  # its ~10 lookups, for each class of each value read, cost ~1 ms a read
            return kept[1]
        obj = sys.modules.get(getattr(k, "__module__", None) or "")
        if not library_code(str(getattr(obj, "__file__", None) or ""), roots):  # the solution's module is no library
            obj = None
        else:
            for part in str(getattr(k, "__qualname__", "")).split("."):
                obj = getattr(obj, part, None)
        found[id(k)] = (k, obj is k)
        return obj is k

    def suspect(cls, name):
        """Whether ``cls``'s operator ``name`` is the solution's: anything but a builtin type's slot, a C function,
        the tests' own code, or a library's function in a library's own class (a bound method, a callable object,
        a partial, or a library's function put in a class the solution made, ``__eq__ = mock.ANY.__eq__``, is code
        the solution chose, whatever it wraps)."""
        owner = where_defined(cls, name)
        f = namespace(owner)[name] if owner is not None else None
        if is_guard(f):
            f = guarded[id(f)][1]  # as the solution wrote it
        if isinstance(f, (staticmethod, classmethod)):
            f = f.__func__
        if f is None:
            return False
        if isinstance(f, (types.WrapperDescriptorType, types.MethodDescriptorType, types.ClassMethodDescriptorType)):
            # a builtin type's own slot, where that type defines it: not another slot put there (``__eq__ =
            # int.__ne__``), unless a library's class did so
            return not ((f.__objclass__ is owner and f.__name__ == name) or importable(owner))
        if isinstance(f, types.BuiltinFunctionType):  # a C function put in a class (``__eq__ = id``)
            return not (f.__self__ is None or isinstance(f.__self__, types.ModuleType)) or not importable(owner)
        if isinstance(f, types.FunctionType):  # the tests' code is known by identity (a name is easily borrowed)
            return not (id(f.__code__) in tests_codes or frozen.get(id(f)) is f or (
                library_code(f.__code__.co_filename, roots) and importable(owner)))
        return True

    plain_types = (int, float, complex, bool, str, bytes, bytearray, tuple, list, dict, set, frozenset, type(None))

    comparisons = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__")

    def own_comparisons(t, names=comparisons):  # a type whose comparisons (``names``) are the solution's (a mock's,
        # as configured: mock_suspect)
        if mock_types is not None and issubclass(t, mock_types[0]):
            return any(mock_suspect(t, n) for n in names)
        return any(suspect(t, n) for n in names)

    # the operators that decide a comparison, its reflection included (``9 < x`` asks ``x.__gt__``)
    deciding = {"Eq": ("__eq__",), "In": ("__eq__",), "Count": ("__eq__",), "NotEq": ("__ne__", "__eq__"),
                "NotIn": ("__eq__",), "Lt": ("__lt__", "__gt__"), "Gt": ("__gt__", "__lt__"),
                "LtE": ("__le__", "__ge__"), "GtE": ("__ge__", "__le__")}

    def facing(a, b, names=comparisons, depth=0):
        """A value with its own operator (of ``names``) facing one whose comparisons are not the solution's where
        ``a == b`` compares them, each side's list, tuple or dict walked in step: its operator would decide the
        comparison, whatever it answered to the probes (one that answers False while probed and True after is made
        for that)."""
        ta, tb = type(a), type(b)
        if depth < 16 and ta is tb and ta in (list, tuple):
            return any(facing(x, y, names, depth + 1) for x, y in zip(islice(a, 1000), islice(b, 1000)))
        if depth < 16 and ta is tb is dict:
            return any(facing(a[k], b[k], names, depth + 1) for k in islice(a, 1000)
                       if type(k) in plain_types and k in b)
        # the other side any value whose comparisons are not the solution's: a plain one, pytest's approx, or a
        # library's or the tests' (a Counter, a date, a Fraction, a namedtuple, the tests' own class), whose == gives
        # way to the solution's; but a mock's (mock.ANY equals anything: it decides, the tests chose it)
        mine_a, mine_b = own_comparisons(ta, names), own_comparisons(tb, names)
        return mine_a != mine_b and getattr(tb if mine_a else ta, "__module__", None) != "unittest.mock"

    def refuse(message):  # kept in ``caught`` (read after the tests), raised for the tests' runner
        caught.append(message)
        raise AssertionError(message)

    def refuse_facing(a, b, names=comparisons):
        if facing(a, b, names):
            refuse("the tests compare a value whose == is the solution's own code (%s) with a plain one (%s): its "
                   "__eq__ would decide the test, not the value" % (type(a).__name__, type(b).__name__))

    import operator
    ops = {"Eq": operator.eq, "NotEq": operator.ne, "Lt": operator.lt, "LtE": operator.le, "Gt": operator.gt,
           "GtE": operator.ge, "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b, "Is": operator.is_,
           "IsNot": operator.is_not}

    def searched(container):  # ``x in container`` iterates it: a generator, a map, a class with __iter__ only
        t = type(container)
        return where_defined(t, "__contains__") is None and (where_defined(t, "__iter__") is not None
                                                             or where_defined(t, "__getitem__") is not None)

    def search(left, right):
        """``left in right`` for a container Python searches by iterating it, done as Python does it (item by item,
        ``item is left or item == left``, up to the first match): whether it matched, and the items it met (the first
        1000 and the match), which the tests never read and no probe saw. They stand in for the container, which the
        search used up as Python's own would have."""
        met = []
        for item in right:
            if item is left or item == left:
                met.append(item)
                return True, met
            if len(met) < 1000:
                met.append(item)
        return False, met

    def check(left, right, op):
        """Refuses a comparison that holds where the solution's own code would decide it; one that asks for a
        difference (``!=``, ``not in``) is checked where it finds none (an honest class may well differ from an int,
        but ``not x != 9`` is ``x == 9``)."""
        if op in ("Is", "IsNot"):
            return
        names = deciding.get(op, comparisons)
        if op in ("In", "NotIn"):  # x in xs compares x with each element of a list, tuple or set
            if type(right) in (list, tuple, set, frozenset, dict):
                for item in islice(right, 1000):
                    refuse_facing(left, item, names)
        elif op == "Count":  # assertCountEqual: any element of one with any of the other
            a, b = list(islice(left, 1000)), list(islice(right, 1000))
            mine = [x for x in a + b if own_comparisons(type_(x), names)]
            theirs = [x for x in a + b if not own_comparisons(type_(x), names)]
            if mine and theirs:
                refuse_facing(mine[0], theirs[0], names)
        else:
            refuse_facing(left, right, names)

    def check_later(left, right, op):  # what check() would refuse, kept for when the comparison holds
        n = len(caught)
        try:
            check(left, right, op)
        except AssertionError:
            if len(caught) == n:
                raise
            found = caught[n]
            del caught[n:]
            return found
        return None

    def compare(left, *rest):
        """``left op right [op right...]`` as the tests wrote it (a chain's operands evaluated first), refused
        where the solution's own comparison would decide (its ``__eq__``, ``__lt__``...)."""
        alone()
        for k in range(0, len(rest), 2):
            op, right = rest[k], rest[k + 1]
            # as Python gives it (an array's comparison is an array); what it raises goes to the tests (money(1) < 1
            # in assertRaises); one that holds is refused if the solution decided it, checked unless it plainly fails
            # (an answer that is no bool, an array's or one made to answer later, is the operator's to give: whose
            # operator it is decides). A generator's items are checked as a list's are.
            checked = right
            if op in ("In", "NotIn") and searched(right):
                found, checked = search(left, right)
                result = found if op == "In" else not found
                before = None
            else:  # as the values are before the operator runs: it may change their classes back
                before = check_later(left, right, op)
                result = ops[op](left, right)
            holds = result is not True if op in ("NotEq", "NotIn") else result is not False  # ``not x != 9``: equal
            if holds and before is not None:
                refuse(before)
            if holds:
                check(left, checked, op)
            if k + 2 == len(rest) or not result:
                return result
            left = right
        return True

    def pair(first, second, op="Eq"):
        """unittest's assertEqual (assertIn, assertLess...) family: its two values, refused where the solution's own
        comparison would decide. A container assertIn searches by iterating it, or an iterator assertCountEqual
        reads, is read here and handed on as a list of what was read (the check must not use up what the tests
        read)."""
        alone()
        if op == "In" and searched(second):
            second = search(first, second)[1]
        elif op == "Count":
            first, second = (list(x) if static(type(x), "__next__") is not None else x for x in (first, second))
        check(first, second, op)
        return first, second

    def mock_suspect(cls, name):  # a magic method set or configured on the mock (a child mock, a function)
        f = static(cls, name)
        return not (f is None or isinstance(f, c_level) or isinstance(f, mock_types[1]))

    class Unseen:  # a type the solution has never seen: a value equal to one is not a value
        __slots__ = ()

    def sentinels():
        """Fresh values no result can honestly equal: a bare object, one of a type of the harness's, and values of
        the plain types (an ``__eq__`` that answers True to ints, strings or lists but not to object() is a forgery
        too) drawn at random, so that no code written beforehand knows them."""
        n = int.from_bytes(urandom(8), "little") | 1 << 64
        s = urandom(8).hex()
        return (object(), Unseen(), n, -n, n / 7.0, s, s.encode(), (n,), [s], {s: n})

    def answers(o, says, x):
        try:
            return says(o, x)
        except Exception:
            return False

    def forged(o):
        cls = type(o)
        names = checked.get(cls)
        if names is None:
            is_mock = mock_types is not None and isinstance(o, mock_types[0])
            names = checked[cls] = [p for p in probes if (mock_suspect if is_mock else suspect)(cls, p[0])]
        if names:
            values = sentinels()
            small = int.from_bytes(urandom(1), "little") - 128  # two neighbours: no value equals both
            for name, says in names:  # (an honest interval holds two neighbours)
                if any(answers(o, says, x) for x in values) or (
                        name != "__contains__" and answers(o, says, small) and answers(o, says, small + 1)):
                    return cls.__name__ + "." + name
        return None

    isinstance_, type_ = isinstance, type
    # the solution's operators that see the value they are compared with, guarded where its values are read
    # (``/``, ``%``, ``^``, ``&``, ``|`` see the expected value too: ``abs(r / e - 1) < tol``, ``not r ^ e``)
    told_by = {"__truediv__": "one", "__rtruediv__": "one", "__mod__": "none", "__xor__": "none", "__rxor__": "none",
               "__and__": "same", "__rand__": "same", "__or__": "same", "__ror__": "same"}
    deciders = comparisons + ("__sub__", "__rsub__") + tuple(told_by)
    holding = {"__ne__": lambda r: r is not True, "__sub__": lambda r: not own_comparisons(type_(r), deciders)}
    holding["__rsub__"] = holding["__sub__"]

    answering = {}

    def as_told(name, r, other):
        """Whether ``r``, what the solution's ``/``, ``%``, ``^``, ``&`` or ``|`` made of a plain ``other``, is what
        an equal value would give (a ratio of 1, nothing left, ``other`` itself), or a value of the solution's whose
        own operators would say so: its honest values (``Money(10) / 4 == 2.5``) pass."""
        t = type_(r)
        if t not in answering:  # (each class once: the solution's own loops call its operators too)
            answering[t] = own_comparisons(t, deciders)
        if answering[t]:
            return False
        if not (type_(r) in exact or type_(r) in plain_types or importable(type_(r))):
            return True  # a bare object of the solution's (an __abs__ of its own) stands for the answer
        try:
            if told_by[name] == "one":
                near = abs(r - 1) <= 0.1  # the loosest tolerance tests of a ratio give
                return bool(near.all() if hasattr(near, "all") else near)
            if told_by[name] == "none":
                return not (r.any() if hasattr(r, "any") else r)
            return bool(type_(r) is type_(other) and r == other)
        except Exception:
            return False

    def by_tests(frame):  # the first caller that is no library's (nor a guard) is the tests' code (the solution's
        # own calls are its business, the harness's probes and comparisons are checked where they run)
        for _ in range(64):
            if frame is None:
                return False
            code = frame.f_code
            if code is not guard_code and code is not reader_code:
                if id(code) in tests_codes:
                    return True
                if id(code) in harness_codes or not library_code(code.co_filename, roots):
                    return False
            frame = frame.f_back
        return False

    def guard(name, original):
        def guarded_operator(self, *args):
            t = type_(original)
            f = t.__get__(original, self, type_(self)) if where_defined(t, "__get__") is not None else original
            r = f(*args)
            if type_(r) not in armed_results:  # what it made answers for it in turn: ``abs(r / e - 1)`` asks the
                armed_results.add(type_(r))  # result's ``-`` (each class once: the solution's loops call it too)
                if type_(r) not in exact and not isinstance_(r, plain_types) and not importable(type_(r)):
                    arm(type_(r))
            if args and r is not NotImplemented and (as_told(name, r, args[0]) if name in told_by else holding.get(
                    name, truthy)(r)) and not own_comparisons(
                    type_(args[0]), deciders) and getattr(type_(args[0]), "__module__", None) != "unittest.mock" and (
                    by_tests(sys._getframe(1))):
                refuse("the tests (or a library they call) compare a value with a plain one (%s) by the solution's "
                       "own %s.%s: its code would decide the test, not the value" % (
                           type_(args[0]).__name__, type_(self).__name__, name))
            return r
        return guarded_operator

    guarded = {}  # id(guard) -> (guard, the solution's operator it calls, its class, its name)
    armed_results = set()

    def is_guard(f):  # one of the guards below (an id alone may be a freed guard's, reused)
        entry = guarded.get(id(f))
        return entry is not None and entry[0] is f

    guard_code = guard("", None).__code__

    # what the tests read of a value of a class the solution made on a builtin or library base, through a method of
    # the solution's that the base has too (float(), round(), str(), len(), iteration, items, keys...): the base's
    # own answer from what the value holds is the value's, so the solution's must agree with it where the tests (or a
    # library they call) ask. Before: a float subclass holding 3.0 whose __float__ said 2.5 passed float(r) == 2.5
    readers = ("__float__", "__int__", "__index__", "__complex__", "__round__", "__trunc__", "__floor__", "__ceil__",
               "__abs__", "__neg__", "__pos__", "__invert__", "__bool__", "__str__", "__repr__", "__format__",
               "__bytes__", "__len__", "__iter__", "__reversed__", "__getitem__", "keys", "values", "items", "get",
               "tolist", "item", "is_integer", "as_integer_ratio", "conjugate", "lower", "upper", "strip", "split",
               "casefold", "hex")
    views, absent = (type({}.keys()), type({}.values()), type({}.items())), object()
    contents = [(bool, None), (int, int.__int__), (float, float.__float__), (str, str.__str__),
                (bytes, bytes.__bytes__ if hasattr(bytes, "__bytes__") else bytes), (tuple, lambda v: v[:]),
                (list, list.copy), (dict, dict.copy), (set, set.copy), (frozenset, frozenset.copy)]
    values = {int, float, complex, str, bytes, bytearray, tuple, list, dict, set, frozenset}  # what such a value is
    value_classes = {("fractions", "Fraction"), ("decimal", "Decimal"), ("collections", "UserList"),
                     ("collections", "UserDict"), ("collections", "UserString"), ("collections", "deque"),
                     ("numpy", "ndarray"), ("numpy", "generic")}  # and the libraries' (loaded by the solution, too)

    def a_value(t):
        return any(k in values or (getattr(k, "__module__", None), getattr(k, "__name__", None)) in value_classes
                   and importable(k) for k in mro_of(t))

    def content(v):  # what a value of a builtin (or Fraction, Decimal) type holds, as that type itself gives it
        if len(contents) < 12:
            for k, how in (("fractions", "Fraction"), ("decimal", "Decimal")):
                c = getattr(sys.modules.get(k), how, None)
                if isinstance(c, type) and not any(c is x for x, _ in contents):
                    contents.append((c, c.__repr__))
        for k, how in contents:
            if isinstance_(v, k):
                if type_(v) is k:
                    return k, v
                return k, (tuple.__getitem__(v, slice(None)) if k is tuple else how(v)) if how is not None else None
        return None, None

    def agree(a, b, depth=0):  # the solution's answer ``a`` is the base's ``b``, by what each holds
        if a is b:
            return True
        (ka, pa), (kb, pb) = content(a), content(b)
        if ka is None or ka is not kb or depth > 8:
            return False
        if ka is float:
            return pa == pb or pa != pa and pb != pb  # nan
        if ka in (tuple, list):
            return len(pa) == len(pb) and all(agree(x, y, depth + 1) for x, y in zip(pa, pb))
        if ka is dict:
            return len(pa) == len(pb) and all(k in pb and agree(x, pb[k], depth + 1) for k, x in pa.items())
        return type_(pa) is type_(pb) and pa == pb

    def own_reader(t, name):  # the class defining ``name`` for ``t`` and the base's own, where the first is the
        # solution's (not a library's function a library put there: a namedtuple's __repr__) and the second a
        # builtin's or a library class's, not object's nor an abstract one (a Sequence's __len__), for a value (a
        # number, string, container: not an exception, whose str() is its own) that is no enum (whose str() is the
        # enum's business)
        mro = mro_of(t)
        owner = where_defined(t, name)
        if owner is None or not a_value(t) or any(getattr(k, "__module__", None) == "enum" for k in mro):
            return None
        f = namespace(owner)[name]
        if is_guard(f):
            f = guarded[id(f)][1]
        g = f.__func__ if isinstance_(f, (staticmethod, classmethod)) else f
        if not suspect(t, name) or type_(g) is types.FunctionType and library_code(g.__code__.co_filename, roots):
            return None
        base = next((k for k in mro[mro.index(owner) + 1:] if name in namespace(k) or name == "__str__" and k is not
                     object and "__repr__" in namespace(k)), None)  # a float's str() is its repr()
        if base is None or base is object or not (not flags(base) & 512 or importable(base)) or getattr(
                namespace(base)[name if name in namespace(base) else "__repr__"], "__isabstractmethod__", False):
            return None
        return owner, base

    def shows(text, b):  # the solution's own text for a value (str(), repr(), format) shows what it holds as the
        # base's text does: that text within it (a Stack's 'Stack([1, 2])'), or, of a number, the number rounded as
        # a whole token of the text writes it (a Money(float)'s '$3.00' for 3.0, '$1,234.50' for 1234.5): as a plain
        # run prints it
        if type_(text) is not str or type_(b) is not str or not b:
            return False
        try:  # a number's own digits are whole tokens of the text ('3.0' within '13.0' is not 3.0)
            held = float(b)
        except (TypeError, ValueError):
            return b in text
        if not any(map(str.isdigit, text)):  # no number at all (a Grade(float) printing 'A'): tells none other than
            return True  # it holds, as a plain run prints it; what it holds is read by float(), ==, round()
        if held != held or held in (float("inf"), float("-inf")) or held < 0 and "-" not in text and "(" not in text:
            return False
        token = ""
        for ch in text + " ":
            if ch in "0123456789.,_":
                token += ch
                continue
            t = token.replace(",", "").replace("_", "").strip(".")
            token = ""
            if not t or t.count(".") > 1 or not any(c.isdigit() for c in t):
                continue
            places = len(t) - t.index(".") - 1 if "." in t else 0
            if places > 20:
                continue
            whole = b.lstrip("-+")
            if whole.isdigit() and not places and whole.lstrip("0") == t.lstrip("0"):  # an int beyond a float's
                return True
            if float.__format__(abs(held), ".%df" % places) == t:
                return True
        return False

    def reader(name, original, base):
        def guarded_reader(self, *args, **kwargs):
            t = type_(original)
            f = t.__get__(original, self, type_(self)) if where_defined(t, "__get__") is not None else original
            r = f(*args, **kwargs)
            if not by_tests(sys._getframe(1)):
                return r
            try:
                b = namespace(base)[name if name in namespace(base) else "__repr__"]
                b = type_(b).__get__(b, self, type_(self)) if where_defined(type_(b), "__get__") is not None else b
                b = b(args[0], absent) if name == "get" and args else b(*args, **kwargs)
                if b is absent:  # a key it lacks (as __getitem__'s KeyError): the solution's answer is its own
                    return r
                if hasattr(b, "__next__") or type_(b) in views:
                    b = list(b)
            except Exception:  # the base has no answer (a key it lacks, an index of the solution's kind)
                return r
            mine = r
            if hasattr(r, "__next__"):  # an iterator: as far as the base's goes, and the rest as it comes
                mine = list(islice(r, len(b) + 1))
                r = chain(mine, r)
            elif type_(r) in views:
                mine = list(r)
            if not agree(mine, b) and not (name in ("__str__", "__repr__", "__format__") and shows(mine, b)):
                refuse("a value the tests read (%s, a %s) answers %s with the solution's own code other than what it "
                       "holds: a result made to pass, not a result" % (type_(self).__name__, base.__name__, name))
            return r
        return guarded_reader

    reader_code = reader("", None, None).__code__

    flags = type.__dict__["__flags__"].__get__

    def arm(t):  # the solution's deciding operators of ``t``, guarded in the classes that define them
        if all(not flags(k) & 512 or importable(k) for k in mro_of(t)):  # a library's class, and builtin ones (no
            return  # heap type: what they define is fixed): each name below is left as it is (~0.1 ms a value read)
        for name in deciders:
            owner = where_defined(t, name)
            f = namespace(owner)[name] if owner is not None else None
            if f is None or is_guard(f) or importable(owner) or not suspect(t, name):
                continue  # a library's class is left as it is (pytest's Mark, whose == attrs wrote)
            g = guard(name, f)
            try:
                type.__setattr__(owner, name, g)
            except Exception:
                refuse("a value the tests compare (%s) has an operator (%s) the check cannot watch: not allowed" % (
                    t.__name__, name))
            guarded[id(g)] = (g, f, owner, name)
        for name in readers:
            found = own_reader(t, name)
            if found is None:
                continue
            owner, base = found
            f = namespace(owner)[name]
            if is_guard(f):
                continue
            g = reader(name, f, base)
            try:
                type.__setattr__(owner, name, g)
            except Exception:
                refuse("a value the tests read (%s) has a method (%s) the check cannot watch: not allowed" % (
                    t.__name__, name))
            guarded[id(g)] = (g, f, owner, name)

    def disarmed():  # the guards the solution took out of their classes again: forgotten, and what it put in their
        # place (its operator put back, or another) guarded as the first was, once a value of its class is read.
        # Refused, a right program setting its operator at each call (ListNode.__lt__ for heapq) failed
        for g, f, owner, name in list(guarded.values()):
            if namespace(owner).get(name) is not g:
                del guarded[id(g)]

    gettrace, getprofile = sys.gettrace, sys.getprofile
    get_tool = getattr(getattr(sys, "monitoring", None), "get_tool", lambda i: None)  # Python >= 3.12

    import weakref
    proxies = (weakref.ProxyType, weakref.CallableProxyType)  # C comparisons that forward to what they point at

    def made_to_match(o, t):  # what no function honestly returns: mock.ANY, pytest.approx, a weak proxy; or a
        # subclass of theirs (its == is still theirs, so it is not the solution's to probe)
        return t in proxies or any((k.__module__ == "unittest.mock" and k.__name__ == "_ANY") or (
            str(k.__module__).startswith("_pytest") and "Approx" in k.__name__) for k in mro_of(t))

    # tests that never name them cannot compare with them: found there, they are the solution's (a function the
    # tests import from its module returns them unwrapped)
    unnamed = not tests_names & {"ANY", "approx"}

    def hides(o):  # a numpy masked array with masked elements: numpy.testing counts each equal to anything
        ma = sys.modules.get("numpy.ma")
        if ma is None or tests_names & {"ma", "mask", "masked_array", "MaskedArray"} or not isinstance_(
                o, ma.MaskedArray):
            return False
        try:
            return bool(ma.getmaskarray(o).any())
        except Exception:
            return True

    def beyond(items):  # past the thousandth item, one of each type not met before it (a forgery at the end)
        if len(items) <= 1000:
            return []
        kinds = set(map(type_, items)) - set(map(type_, islice(items, 1000)))
        return [next(x for x in items if type_(x) is k) for k in kinds]

    # what a subclass of numpy's array (or pandas' frames, series and indexes) may make its own: how it is made and
    # shown, not what their comparisons call on it and on what they return, which keeps its class ((a == b).all(),
    # assert_array_equal's reduced.all(), df.equals)
    made_and_shown = {"__new__", "__init__", "__array_finalize__", "__array_priority__", "__repr__", "__str__",
                      "__format__", "__reduce__", "__reduce_ex__", "__setstate__", "__copy__", "__deepcopy__",
                      "__init_subclass__", "__subclasshook__", "__class_getitem__", "__sizeof__", "__dir__", "__doc__",
                      "__module__", "__dict__", "__weakref__", "__annotations__", "__finalize__", "_metadata",
                      "_constructor", "_constructor_sliced", "_constructor_expanddim",
                      "_constructor_from_mgr", "_constructor_sliced_from_mgr", "_constructor_expanddim_from_mgr"}
    array_bases = (("numpy", "ndarray"), ("pandas.core.generic", "NDFrame"), ("pandas.core.indexes.base", "Index"))

    def array_methods(t, _names={}):
        for module, name in array_bases:
            base = getattr(sys.modules.get(module), name, None)
            if isinstance_(base, type) and issubclass(t, base) and t is not base:
                own = mro_of(base)  # the library's own, its descriptors included
                if all(importable(k) for k in mro_of(t) if k not in own):  # a library's subclass (a DataFrame): the
                    return ()  # solution set none of the ~400 names below in its classes (~1 ms a value read)
                if base not in _names:
                    _names[base] = tuple(n for n in dir(base) if n not in made_and_shown)
                return tuple(n for n in _names[base] if where_defined(t, n) not in own and set_by_solution(t, n))
        return ()

    def set_by_solution(t, n):  # set in a class the solution made (not a library's, nor the tests' own code)
        f = static(t, n)
        return f is not None and not importable(where_defined(t, n)) and not (
            isinstance_(f, types.FunctionType) and id(f.__code__) in tests_codes)

    def told_names(t):
        """What a builtin type's methods tell of a value given the one it is checked against (a prefix, a superset,
        a part): those of ``t``'s builtin bases, which a subclass the solution made may override."""
        return [n for n in ("startswith", "endswith", "issubset", "issuperset", "isdisjoint", "find", "rfind", "index",
                            "rindex", "count", "difference", "symmetric_difference", "intersection", "union")
                if any(issubclass(t, b) and n in namespace(b) for b in plain_types)]

    from contextlib import _GeneratorContextManager, contextmanager

    def solutions_manager(cm):  # a context manager whose __exit__ is the solution's code, or its generator's
        t = type_(cm)
        if suspect(t, "__exit__"):
            return True
        code = getattr(getattr(cm, "gen", None), "gi_code", None) if t is _GeneratorContextManager else None
        return code is not None and id(code) not in tests_codes and not library_code(code.co_filename, roots)

    @contextmanager
    def verdicts_kept(cm):
        """The solution's context manager, except that the failure of a test's check inside it (an AssertionError,
        pytest's fail) is not its to swallow: ``with f() as v: assert v == 9`` would pass whatever ``v`` is."""
        exit_ = type_(cm).__exit__
        value = type_(cm).__enter__(cm)
        try:
            yield value
        except BaseException as e:
            if not exit_(cm, type_(e), e, e.__traceback__):
                raise
            if isinstance_(e, AssertionError) or any(k.__module__ == "_pytest.outcomes" for k in mro_of(type_(e))):
                refuse("the solution's context manager (%s) swallowed the failure of a check the tests made inside "
                       "it (%s): not allowed" % (type_(cm).__name__, type_(e).__name__))
        else:
            exit_(cm, None, None, None)

    def plain(value, strict=False, returned=False, within=False):
        """``value`` checked (see above); ``strict``: no value in it may compare by the solution's own code;
        ``returned``: it is what a function of the solution returned; ``within``: it is the context manager of a
        ``with`` statement of the tests (one of the solution's comes back kept from swallowing their failures)."""
        alone()
        if gettrace() is not None or getprofile() is not None or any(get_tool(i) for i in range(6)):
            # a tracer can jump over the tests' lines
            refuse("the solution installed a trace, profile or monitoring function: not allowed")
        if type_(value) is types.MethodType:  # df.equals, read off a library's object: its class's own method
            f, owner = value.__func__, value.__self__ if isinstance_(value.__self__, type) else type_(value.__self__)
            if type_(f) is types.FunctionType and id(f.__code__) not in not_solutions and not library_code(
                    f.__code__.co_filename, roots) and importable(owner) and not (
                    autospec and mock_types is not None and isinstance_(getattr(f, "mock", None), mock_types[0])):
                refuse("the tests read a method of a library's %s (%s) that is the solution's code: not allowed"
                       % (owner.__name__, f.__name__))
        todo, seen, kinds, walked = [value], 0, [], set()  # walked: the ids of those in kinds, which keeps them
        armed, classes = {}, []  # the classes checked in this walk (each node's class checked made a read of a long
        # list cost ~0.1 s), and kept

        def of_class(t):  # what is checked of a value's class before the probes of a value of it
            if ((returned or unnamed) and made_to_match(None, t)) or (t in proxies):
                refuse("a value the tests compare (%s) is made to match what it is compared with, not a result"
                       % t.__name__)
            if t in (list, tuple, set, frozenset, dict):
                return
            if (strict or issubclass(t, plain_types)) and own_comparisons(t):  # an int whose == is the solution's
                refuse("a value the tests compare (%s, a %s) compares by the solution's own __eq__: a result "
                       "made to pass, not a result" % (t.__name__, t.__mro__[1].__name__))
            told = [n for n in told_names(t) if suspect(t, n)] if issubclass(t, plain_types) else ()
            if told:  # r.startswith(expected), r.issubset(expected): the solution's method would say so
                refuse("a value the tests read (%s, a %s) answers %s with the solution's own code: a result made "
                       "to pass, not a result" % (t.__name__, t.__mro__[1].__name__, ", ".join(told)))

        def armed_class(t):  # after the probes of a value of it (a mock's own class gets its children's then)
            if t in (list, tuple, set, frozenset, dict):
                return
            if own_comparisons(t, ("__array_ufunc__", "__array_function__", "__array_wrap__")):  # numpy
                # hands them its ==, allclose...
                refuse("a value the tests compare (%s) takes numpy's operations over with the solution's own "
                       "code (__array_ufunc__ / __array_function__ / __array_wrap__): a result made to pass, not a "
                       "result" % t.__name__)
            if array_methods(t):  # numpy's comparisons read the result's all(), ravel()
                refuse("a value the tests compare (%s) is a numpy array or pandas frame whose own methods (all, "
                       "any, ravel, equals...) are the solution's code: a result made to pass, not a result"
                       % t.__name__)
            arm(t)

        if (returned or as_text) and any(map(hides, [value] + (
                list(islice(value, 1000)) if type_(value) in (list, tuple) else
                list(islice(value.values(), 1000)) if type_(value) is dict else []))):
            refuse("a value the tests compare (a numpy masked array) masks elements, which numpy.testing counts as "
                   "equal to anything: a result made to pass, not a result")
        while todo and seen < 10000:
            o = todo.pop()
            seen += 1
            t = type_(o)
            if t in exact:
                continue
            if id(o) in walked:  # met before: a graph that leads back (an enum member's class holds it, a node
                # its parent) was walked 10,000 times over, ~0.3 s a value read
                continue
            walked.add(id(o))
            kinds.append((o, t))
            if id(t) not in armed:  # each class once here, and again once the walk is done (below)
                armed[id(t)] = t
                classes.append(t)
                of_class(t)
            if t.__module__ == "numpy" and getattr(o, "dtype", None) == object:  # its == is each element's
                items = list(islice(o.flat, 1000))
                if any(own_comparisons(type_(x)) for x in items):
                    refuse("a value the tests compare (an object array) holds values whose comparisons are the "
                           "solution's own code: a result made to pass, not a result")
                todo.extend(items)
                continue
            if t not in (list, tuple, set, frozenset, dict):
                bad = forged(o)
                if bad:
                    refuse("a value the tests compare (%s) answers every comparison (%s): a result made to pass any "
                           "test, not a result" % (t.__name__, bad))
                if armed[id(t)] is not None:  # (its first value's: None once armed)
                    armed_class(t)
                    armed[id(t)] = None
            if isinstance_(o, dict):
                todo.extend(islice(o.items(), 1000))
                todo.extend(beyond(o.values()))
            elif isinstance_(o, (list, tuple, set, frozenset)):
                todo.extend(islice(o, 1000))
                todo.extend(beyond(o))
            elif t is types.MappingProxyType:  # its C comparisons are the mapping's it wraps
                todo.extend(gc.get_referents(o))
            elif isinstance_(o, weakref.ref):  # a WeakValueDictionary's values are weak references to them (only
                # those to a value comparing by the solution's code: a library's objects hold many, to large graphs)
                target = o()
                if target is not None and own_comparisons(type_(target)):
                    todo.append(target)
            elif mock_types is None or not isinstance_(o, mock_types[0]):  # what it holds (a UserList's data, say)
                try:
                    todo.extend(islice(vars(o).values(), 100))
                except Exception:
                    pass
                # what its slots hold (a Fraction's _numerator) and a User* container's data, however the solution
                # gives them (a property, __getattr__, a descriptor): a library's comparison reads them
                mro, reads = mro_of(t), []
                for k in mro[:8]:
                    slots = namespace(k).get("__slots__", ())
                    reads += [slots] if isinstance_(slots, str) else [a for a in slots if isinstance_(a, str)]
                del reads[100:]
                if any(k.__module__ == "collections" and k.__name__ in ("UserList", "UserDict", "UserString")
                       for k in mro):
                    reads.append("data")
                for k in mro[:8]:  # and what the solution's properties give
                    if k is not object and not importable(k):
                        reads += [a for a, v in islice(namespace(k).items(), 200) if isinstance_(v, property)]
                for a in reads:
                    try:
                        todo.append(getattr(o, a))
                    except Exception:
                        pass
                if isinstance_(o, Mapping):  # what Mapping.__eq__ compares (a ChainMap's, a mapping's made on reading)
                    try:
                        todo.extend(islice(o.items(), 1000))
                    except Exception:
                        pass
        for t in classes:  # what the solution's code run by the walk (a property) set in them meanwhile
            of_class(t)
            armed_class(t)
        changed = next((t for o, t in kinds if type_(o) is not t), None)  # by the code its reading ran (a property)
        if changed is not None:
            refuse("a value the tests compare changed its class (%s) while it was checked: a result made to pass, "
                   "not a result" % changed.__name__)
        disarmed()
        watch()
        value = verdicts_kept(value) if within and solutions_manager(value) else value
        return handing[0](value) if handing else value
    return plain, compare, pair


def _ptsfast_guarded(source, filename, limit=1 << 18, checks=None):
    """The tests compiled with every value they read passed through ``checks["plain"]`` (see above), every
    comparison (``==``, ``<``, ``in``, chains) through ``checks["compare"]`` and the two values of unittest's
    assertEqual family through ``checks["pair"]`` (the solution's own comparisons never make one hold against a plain
    value): the checks are constants of the tests' code, which no one can change, not names of their namespace, which
    the solution reaches and could rebind for a moment; tests that the rewrite cannot compile, or longer than
    ``limit`` characters (EvalPlus writes out megabytes of inputs: parsing them in Python costs 3x the time and 1.4x
    the memory of compiling them), run as written (the solution's functions are still checked where the tests call
    them, :func:`_ptsfast_checked`). Returns ``(code, whether it was rewritten)``."""
    import ast, os, types, warnings
    if len(source) > limit:
        return compile(source, filename, "exec"), False
    # each check is compiled as a string constant no source holds, then put in its place in every code object
    marks = {k: "\0ptsfast %s %s" % (k, os.urandom(8).hex()) for k in ("plain", "compare", "pair")}
    placed = {v: (checks or {}).get(k) for k, v in marks.items()}

    def check(kind, node):
        return ast.copy_location(ast.Constant(marks[kind]), node)

    def put(c):
        return c.replace(co_consts=tuple(put(k) if type(k) is types.CodeType else placed[k] if type(k) is str and
                                         k in placed else k for k in c.co_consts))
    PAIRED = {**dict.fromkeys(("assertEqual", "assertEquals", "assertListEqual", "assertTupleEqual", "assertDictEqual",
                               "assertSequenceEqual", "assertMultiLineEqual", "assertAlmostEqual",
                               "assertAlmostEquals"), "Eq"),
              "assertGreater": "Gt", "assertGreaterEqual": "GtE", "assertLess": "Lt", "assertLessEqual": "LtE",
              "assertIn": "In", "assertCountEqual": "Count"}

    def literal(node):  # data written out (EvalPlus's inputs and results: megabytes of them): nothing to guard
        todo = [node]
        while todo:
            n = todo.pop()
            if isinstance(n, (ast.List, ast.Tuple, ast.Set)):
                todo.extend(n.elts)
            elif isinstance(n, ast.Dict):
                todo.extend(k for k in n.keys if k is not None)
                todo.extend(n.values)
            elif not isinstance(n, ast.Constant) and not (isinstance(n, ast.UnaryOp)
                                                          and isinstance(n.operand, ast.Constant)):
                return False
        return True

    class Guard(ast.NodeTransformer):
        def wrap(self, node):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Constant) and node.func.value == marks["plain"]:
                return node
            return ast.copy_location(ast.Call(check("plain", node), [node], []), node)

        def visit_List(self, node):
            return node if literal(node) else self.generic_visit(node)

        visit_Tuple = visit_Set = visit_Dict = visit_List

        def visit_Constant(self, node):
            return node

        def visit_Call(self, node):
            op = PAIRED.get(node.func.attr) if isinstance(node.func, ast.Attribute) else None  # before it is wrapped
            node = self.generic_visit(node)
            if op and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
                # self.assertEqual(a, b): checked as a pair
                checked = ast.Call(check("pair", node), node.args[:2] + [ast.Constant(op)], [])
                node.args = [ast.Starred(ast.copy_location(checked, node), ast.Load())] + node.args[2:]
            return self.wrap(node)

        def visit_Attribute(self, node):
            node = self.generic_visit(node)
            return self.wrap(node) if isinstance(node.ctx, ast.Load) else node

        visit_Subscript = visit_Attribute

        def visit_Compare(self, node):
            node = self.generic_visit(node)
            if any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                node.left = self.wrap(node.left)
                node.comparators = [self.wrap(c) for c in node.comparators]
            # a == b, x in xs, lo <= x <= hi: checked, then compared
            args = [node.left]
            for op, right in zip(node.ops, node.comparators):
                args += [ast.Constant(type(op).__name__), right]
            return ast.copy_location(ast.Call(check("compare", node), args, []), node)

        def visit_With(self, node):  # with f() as v: assert v == 9 (the solution's manager would swallow a failure)
            node = self.generic_visit(node)
            for item in node.items:
                was = item.context_expr
                item.context_expr = ast.copy_location(ast.Call(check("plain", was), [was], [
                    ast.keyword("within", ast.Constant(True))]), item.context_expr)
            return node

        def visit_match_case(self, node):  # patterns must stay names and constants
            node.guard = self.visit(node.guard) if node.guard is not None else None
            node.body = [self.visit(n) for n in node.body]
            return node

    try:
        tree = ast.fix_missing_locations(Guard().visit(ast.parse(source, filename)))
        with warnings.catch_warnings():  # a constant called: "'str' object is not callable"
            warnings.simplefilter("ignore")
            return put(compile(tree, filename, "exec")), True
    except (SyntaxError, ValueError, TypeError, RecursionError):
        return compile(source, filename, "exec"), False


def _ptsfast_hidden(functions, lock):
    """Stand-ins for the harness's checks that the tests' code and the solution's wrappers call (``{key: function}``,
    filled in later: the stand-ins are made first): the solution reaches the wrappers (a helper's ``__globals__``),
    and a function's closure cells are writable (``cell_contents``, no audit event): the checks' own, set to do
    nothing, passed any value. Each stand-in is a method, bound to an
    immutable tuple, of a function with no closure and no globals to look up; the real function lives on only in a
    suspended generator's frame (the audit hook refuses ``gi_frame`` to the solution), which hands it to that function
    alone, for the call. Run with bare globals."""
    import sys, types
    real = functions  # filled in by the caller once the checks are made (the tests' code holds the stand-ins first)

    def relay(held, *args, **kwargs):
        with held[2]:
            f = held[0](held[1])
        return f(*args, **kwargs)

    code = relay.__code__

    def vault():
        answer = None
        while True:
            key = yield answer
            answer = real.get(key) if sys._getframe(1).f_code is code else None

    kept = vault()
    next(kept)
    return {k: types.MethodType(relay, (kept.send, k, lock)) for k in real}


def _ptsfast_checked(ns, plain, strict, library_code, roots, stops=False, around=None, cells=None, own=None,
                     makers=None, vault=None, before=None, handing=None, kept=None, not_its=None):
    """The solution's functions, as the tests' namespace holds them (before the tests run: only the solution's
    names), with what they return checked (the solution's own calls, through its module, are not slowed);
    ``strict``: for tests run as written, where no comparison is checked, no value may compare by the solution's
    own == (:func:`_ptsfast_plain_values`). A StopIteration one raises is a RuntimeError, as a generator's is
    (PEP 479): ``all(map(f, xs))`` and ``filter(f, xs)`` take it for their end and hold with nothing checked;
    ``stops``: tests that name StopIteration, which may expect it. ``around(fn, args, kwargs)``, where given, makes
    the call (:func:`_ptsfast_call_window`); ``cells`` gets ``(cell, what it holds)`` of each wrapper's closure, which
    the solution can reach (the tests' namespace) and rewrite. ``own``: the solution's module namespace, whose
    classes' methods (not the prompt's pinned helper classes') and returned functions run in the window where the
    tests call them. ``makers`` (always given): :func:`_ptsfast_wrappers`' (for ``around``, ``plain``, ``stops``,
    ``strict`` and ``own`` as given here), whose wrappers call the stand-in ``vault["classes"]`` is set behind: the
    real one's cells (wrap, windowed, made) would let the solution skip the window (windowed set to give back what
    it is handed).
    ``before``: (the ids of gc's callbacks, the index of weakref's next finalizer, weakref.finalize, gc's list of
    callbacks) before the solution ran. ``handing``: given ``one()`` (below), for the tests' reads. ``kept``: gets
    each value handed to the tests (see :func:`_ptsfast_call_window`). ``not_its``: (ids of the code objects that are
    not the solution's, the namespaces whose functions are not), which tells its functions made with globals of their
    own (``exec``, ``types.FunctionType``) from the tests', the prompt's and the harness's."""
    import functools, sys, types
    codes_not_its, spaces_not_its = not_its if not_its is not None else (frozenset(), ())

    def its(f):  # a function of the solution's module, or one it made with globals of its own (a describe() made by
        # exec ran outside the window where the tests called it, and so did a __bool__)
        g = f.__globals__
        return own is not None and (g is own or not_its is not None and id(f.__code__) not in codes_not_its and
                                    not any(g is s for s in spaces_not_its))

    def checking(fn):
        return functools.wraps(fn)(makers["checked"](fn))

    def solutions(fn):  # the solution's code: a function, a bound method, a partial, or an object it made callable
        for _ in range(8):
            if isinstance(fn, types.FunctionType):  # not a library's (whatever file name it was compiled with)
                return not library_code(fn.__code__.co_filename, roots)
            if isinstance(fn, types.MethodType):
                fn = fn.__func__
            elif isinstance(fn, functools.partial):
                fn = fn.func
            elif callable(fn) and not isinstance(fn, (type, types.ModuleType, types.BuiltinFunctionType)):
                fn = next((vars(k)["__call__"] for k in type(fn).__mro__ if "__call__" in vars(k)), None)
            else:
                return False
        return False

    def windowed(fn):  # a method the tests call (on what the solution's function returned) runs in the window too
        return functools.wraps(fn)(makers["windowed"](fn))

    # what the value checks (and the tests' guards on context managers and helper classes) look at themselves
    decided = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__hash__", "__contains__",
               "__enter__", "__exit__", "__aenter__", "__aexit__", "__getattribute__", "__getattr__", "__class__",
               "__dict__", "__weakref__", "__module__", "__qualname__", "__doc__"}
    decided.update("__%s%s__" % (r, op) for r in ("", "r", "i") for op in (
        "add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "xor", "or",
        "divmod"))
    # those of them the tests' code runs on the solution's values (an if, sorted(), a set, a with): each holds the
    # tests' data from its run to their next read (_ptsfast_call_window's touched()), a heap's < through no window
    touching = decided - {"__class__", "__dict__", "__weakref__", "__module__", "__qualname__", "__doc__"}
    done = set()  # ids of the classes wrapped (kept alive by the classes' own methods' wrappers)

    def wrap(cls):  # a class of the solution's own, on a builtin's or library's base too (a list subclass whose
        # describe() or __len__ rewrote EXPECTED passed): the methods its module's code defines there, and those the
        # tests' code reaches without naming them (__iter__, __len__, __getitem__, __del__, a subclass's
        # __init_subclass__, a descriptor's __set_name__), but for those the value checks look at (above)
        if around is None or own is None or id(cls) in done or cls.__module__ != "solution":
            return
        done.add(id(cls))
        for k, m in list(vars(cls).items()):
            if type(m) is property and k not in decided:  # what reading the attribute runs
                parts = [windowed(f) if isinstance(f, types.FunctionType) and its(f) and solutions(f)
                         else f for f in (m.fget, m.fset, m.fdel)]
                if any(a is not b for a, b in zip(parts, (m.fget, m.fset, m.fdel))):
                    setattr(cls, k, property(*parts, m.__doc__))
                    if cells is not None:
                        cells.extend((c, c.cell_contents) for f in parts if f is not None and f.__closure__
                                     for c in f.__closure__)
                continue
            kind = type(m) if type(m) in (classmethod, staticmethod) else None
            f = m.__func__ if kind is not None else m
            if k in touching and kind is None and isinstance(f, types.FunctionType) and its(f) and solutions(f):
                # run where the tests reach it, it holds their data until their next read
                w = functools.wraps(f)(makers["touching"](f))
                setattr(cls, k, w)
                if cells is not None:
                    cells.extend((c, c.cell_contents) for c in w.__closure__)
            elif k not in decided and isinstance(f, types.FunctionType) and its(f) and solutions(f):
                w = windowed(f)
                setattr(cls, k, kind(w) if kind is not None else w)
                if cells is not None:
                    cells.extend((c, c.cell_contents) for c in w.__closure__)

    made = {}  # id: (a function the solution returned, its windowed stand-in): one stand-in each (f() is f())

    import itertools
    lazy = {map, filter, zip, enumerate, reversed} | {v for v in vars(itertools).values() if isinstance(v, type)}
    lazy = {t for t in lazy if hasattr(t, "__next__")}

    def pass_on(v):
        return v

    def pulled(it):  # a lazy iterator (map, filter, itertools'): each item it makes, made in the window
        yield from it

    def runs_here(f):  # a function of the solution's module (not the tests', nor a library's)
        return type(f) is types.FunctionType and its(f) and solutions(f)

    def one(value):  # what the tests get for a value the solution handed them: a function of its own (a closure the
        # tests then call; a partial or bound method of one), a generator of its own, or a lazy iterator (whose items
        # its code may make), each run in the window where the tests use it
        t = type(value)
        if runs_here(value) or t in (functools.partial, types.MethodType) and runs_here(
                getattr(value, "func", None) if t is functools.partial else value.__func__):
            kept = made.get(id(value))
            if kept is None or kept[0] is not value:
                kept = made[id(value)] = (value, windowed(value))  # its cells but fn are the probe's (below)
            return kept[1]
        if t in (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType):
            frame = getattr(value, {types.GeneratorType: "gi_frame", types.CoroutineType: "cr_frame"}.get(
                t, "ag_frame"))
            return around(pass_on, (value,), {}) if frame is not None and frame.f_globals is own else value
        if t in lazy and makes(value, 0):
            return around(pass_on, (pulled(value),), {})
        if getattr(t, "__module__", None) == "solution" and id(t) not in done:  # a value of its class (on a
            # builtin's base: the tests made it themselves, MyList([1, 2])), whose methods they may call next
            wrap(t)
        return value

    def makes(it, depth):  # whether what a lazy iterator was made of (its __reduce__, made in C) is the solution's:
        # a function, a generator, an object of a class of its own, or a lazy iterator made of one (map(int, xs)
        # runs none of its code, and is left as it is: each item through the window costs ~0.1 ms)
        try:
            parts = type(it).__reduce__(it)
        except Exception:
            return True
        todo = [x for p in parts[1:3] if type(p) is tuple for x in p]
        while todo:
            x = todo.pop()
            t = type(x)
            if t is tuple:
                todo.extend(x)
            elif runs_here(x) or t in (functools.partial, types.MethodType) and runs_here(
                    getattr(x, "func", None) if t is functools.partial else x.__func__) or getattr(
                    t, "__module__", None) == "solution" or t in lazy and depth < 4 and makes(x, depth + 1):
                return True
            elif t in (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType):
                return True
        return False

    def held(value, depth, left):  # the items of the lists, dicts and tuples a call returned, in place where they can
        # be (a tuple is made anew), as one() gives them (a dict of closures the tests then call: d['apply'](xs))
        t = type(value)
        if t not in (list, dict, tuple):
            return one(value)
        if depth > 4:
            return value
        if t is tuple:
            items = [held(v, depth + 1, left) if left[0] > 0 else v for v in value]
            left[0] -= len(items)
            return tuple(items) if any(a is not b for a, b in zip(items, value)) else value
        for k, v in list(itertools.islice(enumerate(value) if t is list else value.items(), max(left[0], 0))):
            left[0] -= 1
            w = held(v, depth + 1, left)
            if w is not v:
                value[k] = w
        return value

    import gc
    # gc.callbacks as the interpreter holds it: the module's name for it rebound (gc.callbacks = []) hid the
    # solution's callback, appended first, from hooks()
    libraries, first, finalizing, callbacks = before if before is not None else (
        frozenset(map(id, gc.callbacks)), 0, None, gc.callbacks)
    stand_ins = {}  # id: a stand-in hooks() made (kept alive by what holds it)

    def stand_in(f):
        if not callable(f) or isinstance(f, type) or stand_ins.get(id(f)) is f:
            return f
        kept = made.get(id(f))
        if kept is None or kept[0] is not f:
            kept = made[id(f)] = (f, windowed(f))
        stand_ins[id(kept[1])] = kept[1]
        return kept[1]

    def hooks():  # what the interpreter calls at moments of its own, set since the solution ran (a gc callback, a
        # finalizer, a hook for an error in one): run in the window too (a gc callback of the solution's, or a
        # finalizer calling EXPECTED.__setitem__, rewrote EXPECTED at a collection in the tests' code)
        cbs = callbacks
        for i, cb in enumerate(list(cbs)):
            if id(cb) not in libraries and i < len(cbs) and cbs[i] is cb:
                cbs[i] = stand_in(cb)
        kind = getattr(sys.modules.get("weakref"), "finalize", None)
        registry = getattr(kind, "_registry", None)
        if type(registry) is dict and registry:
            for info in list(registry.values()):
                f = getattr(info, "func", None)
                if getattr(info, "index", -1) >= (first if kind is finalizing else 0) and stand_in(f) is not f:
                    info.func = stand_in(f)
        for name in ("unraisablehook", "excepthook", "displayhook", "breakpointhook"):
            f = getattr(sys, name, None)
            if f is not getattr(sys, "__%s__" % name, None):
                setattr(sys, name, stand_in(f))

    def classes(value):  # what the solution's function returned: a class of its own, an object of one, or what
        # one() windows, alone or held in lists, dicts and tuples (up to 1,000 items); and what it left for the
        # interpreter to call (hooks())
        if around is None:
            return value
        hooks()
        value = held(value, 0, [1000])
        wrap(value if isinstance(value, type) else type(value))
        if kept is not None:
            kept.append(value)
        return value

    if vault is not None:
        vault["classes"] = classes
    if handing is not None and around is not None:
        handing[:] = [one]
    probe = windowed(len)
    if cells is not None and around is not None:  # what every stand-in's window looks up, shared by all of them
        cells.extend((c, c.cell_contents) for c in probe.__closure__)
    for name, fn in list(ns.items()):
        if solutions(fn):
            ns[name] = checking(fn)
            if cells is not None:
                cells.extend((c, c.cell_contents) for c in ns[name].__closure__)
        elif isinstance(fn, type) and all(b is object or b.__module__ == "solution" for b in fn.__mro__[1:]):
            wrap(fn)  # (one on a builtin's or library's base once the tests read a value of it: its own heavy use of
            # a list subclass's __getitem__ through the window's stand-in cost ~2.5 us a call, 10x)


_PTSFAST_WRAPPERS = """
def checked(fn):
    def checked(*args, **kwargs):
        try:
            value = AROUND(fn, args, kwargs)
        except STOP as e:
            if STOPS:
                raise
            raise ERROR("%s() raised StopIteration, which would end the map() or filter() of the tests that called "
                        "it as if they had run through" % GETATTR(fn, "__name__", "?")) from e
        return PLAIN(CLASSES(value), STRICT, True)
    return checked


def windowed(fn):
    def method(*args, **kwargs):
        try:  # the solution's own call: its module's code
            mine = GETFRAME(1).f_globals is OWN
        except NOFRAME:  # no Python caller (a finalizer as the interpreter ends)
            mine = True
        if mine:
            return fn(*args, **kwargs)
        return CLASSES(AROUND(fn, args, kwargs))
    return method


def touching(fn):
    def operator(*args, **kwargs):
        if HELD[FIRST] is not TRUE:  # (the tests' data already held: within a call, or since another operator ran)
            try:  # the solution's own use (its heap's <): as it is
                mine = GETFRAME(1).f_globals is OWN
            except NOFRAME:
                mine = True
            if not mine:
                after = TOUCHED()
                if after is not None:  # what the tests change in place themselves: looked at around each run
                    try:
                        value = fn(*args, **kwargs)
                    finally:
                        after()
                    if type(value) is COROUTINE:
                        return AROUND(SAME, (value,), {})
                    return value
        value = fn(*args, **kwargs)
        if type(value) is COROUTINE:  # an async __aenter__/__aexit__: its body runs as the tests await it, which
            return AROUND(SAME, (value,), {})  # may pause across their reads: each step in the window
        return value
    return operator
"""


def _ptsfast_wrappers(source, hidden, own, stops, strict, holding=None):
    """``{"checked": make, "windowed": make, "touching": make}``: ``make(fn)`` is the wrapper :func:`_ptsfast_checked`
    puts in the tests' namespace for the solution's function ``fn`` (its call in the window, what it returns
    checked), or the stand-in for a method of the solution's classes, or a function it returned, that runs in the
    window where the tests call it, or for an operator of its classes (``==``, truth, ``hash``), which holds the
    tests' data until their next read where their code runs it (``holding``: the flag saying they are held already).
    The solution reaches them (a helper's ``__globals__``): what they call is a constant of their
    code (``hidden``'s stand-ins, and the builtins they use), not a closure's cell or a global name, either of which
    it could set for a moment (a finalizer between two of the tests' reads, the next call then made outside the
    window). ``source``: :data:`_PTSFAST_WRAPPERS`. Run with bare globals."""
    import builtins, os, re, sys, types, warnings

    def same(value):  # what the call window relays a coroutine an operator of the solution's made through
        return value

    given = {"AROUND": hidden["around"], "PLAIN": hidden["plain"], "CLASSES": hidden["classes"],
             "STOP": StopIteration, "ERROR": RuntimeError, "GETATTR": getattr, "GETFRAME": sys._getframe,
             "OWN": own, "NOFRAME": ValueError, "TOUCHED": hidden["touched"], "HELD": holding or [False],
             "TRUE": True, "FIRST": 0, "COROUTINE": types.CoroutineType, "SAME": same}
    # (FIRST: a constant's item, HELD[0], is taken at compile time)
    marks = {k: "\0ptsfast %s %s" % (k, os.urandom(8).hex()) for k in given}
    placed = {marks[k]: v for k, v in given.items()}
    source = re.sub(r"\b(%s)\b" % "|".join(given), lambda m: repr(marks[m.group(1)]), source)
    source = source.replace("STOPS", repr(bool(stops))).replace("STRICT", repr(bool(strict)))

    def put(c):
        return c.replace(co_consts=tuple(put(k) if type(k) is types.CodeType else placed[k] if type(k) is str and
                                         k in placed else k for k in c.co_consts))

    with warnings.catch_warnings():  # a constant called, or compared by identity
        warnings.simplefilter("ignore")
        code = put(compile(source, "<ptsfast wrappers>", "exec"))
    made = {"__builtins__": builtins}
    exec(code, made)
    return {"checked": made["checked"], "windowed": made["windowed"], "touching": made["touching"]}


def _ptsfast_stack_uses(ops):
    """What takes each value pushed in ``ops`` (``dis`` instructions of one code object), read straight through (a
    jump's target starting from the stack the jump left): ``({index: [(index of the taker, its place from the
    top)]}, {index of a CALL: (pushers of its NULL-or-method place, of its callee place)})``, each pusher a set (a
    value from either branch). A value an instruction not modelled here may take has a taker at place None."""
    import dis
    fixed = {"NOP": (0, 0), "RESUME": (0, 0), "PRECALL": (0, 0), "KW_NAMES": (0, 0), "CACHE": (0, 0),
             "EXTENDED_ARG": (0, 0), "COPY_FREE_VARS": (0, 0), "MAKE_CELL": (0, 0), "LOAD_FAST": (0, 1),
             "LOAD_CONST": (0, 1), "LOAD_DEREF": (0, 1), "LOAD_CLASSDEREF": (0, 1), "LOAD_NAME": (0, 1),
             "LOAD_CLOSURE": (0, 1), "PUSH_NULL": (0, 1), "LOAD_ASSERTION_ERROR": (0, 1), "LOAD_ATTR": (1, 1),
             "LOAD_METHOD": (1, 2), "GET_ITER": (1, 1), "LIST_EXTEND": (1, 0), "LIST_APPEND": (1, 0),
             "SET_UPDATE": (1, 0), "SET_ADD": (1, 0), "DICT_UPDATE": (1, 0), "DICT_MERGE": (1, 0),
             "UNARY_NOT": (1, 1), "UNARY_NEGATIVE": (1, 1), "UNARY_INVERT": (1, 1), "UNARY_POSITIVE": (1, 1),
             "BINARY_SUBSCR": (2, 1), "BINARY_OP": (2, 1), "COMPARE_OP": (2, 1), "CONTAINS_OP": (2, 1),
             "IS_OP": (2, 1), "POP_TOP": (1, 0), "STORE_FAST": (1, 0), "STORE_NAME": (1, 0), "STORE_GLOBAL": (1, 0),
             "STORE_DEREF": (1, 0), "STORE_ATTR": (2, 0), "STORE_SUBSCR": (3, 0), "RETURN_VALUE": (1, 0),
             "JUMP_FORWARD": (0, 0), "JUMP_BACKWARD": (0, 0), "JUMP_BACKWARD_NO_INTERRUPT": (0, 0)}
    ends = {"RETURN_VALUE", "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "RAISE_VARARGS", "RERAISE"}
    at = {i.offset: k for k, i in enumerate(ops)}
    took, calls, saved, stack = {}, {}, {}, []

    def take(k, place, entry):
        for p in entry:
            took.setdefault(p, []).append((k, place))

    def unknown(a, b):  # two stacks met at a jump's target in different shapes: anything may take their values
        for entry in a + b:
            take(-1, None, entry)
        return [frozenset()] * len(b)

    def merged(a, b):
        return [x | y for x, y in zip(a, b)] if len(a) == len(b) else unknown(a, b)

    def keep(target, state):  # the stack a jump hands its target (merged with another jump's, place by place)
        saved[target] = list(state) if target not in saved else merged(saved[target], state)

    for k, i in enumerate(ops):
        if k and i.is_jump_target and k in saved:
            stack = merged(saved[k] if ops[k - 1].opname in ends else stack, saved[k])
        elif k and ops[k - 1].opname in ends:
            stack = []
        name, arg = i.opname, i.arg
        jump = at.get(i.argval) if i.opcode in dis.hasjrel or i.opcode in dis.hasjabs else None
        if name == "LOAD_GLOBAL":
            pops, pushes = 0, 1 + (arg & 1)
        elif name == "CALL":
            pops, pushes = arg + 2, 1
            while len(stack) < pops:
                stack.insert(0, frozenset())
            calls[k] = (stack[-arg - 2], stack[-arg - 1])
        elif name in ("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_STRING", "BUILD_SLICE", "RAISE_VARARGS"):
            pops, pushes = arg, int(name != "RAISE_VARARGS")
        elif name in ("BUILD_MAP", "BUILD_CONST_KEY_MAP"):
            pops, pushes = 2 * arg if name == "BUILD_MAP" else arg + 1, 1
        elif name == "CALL_FUNCTION_EX":
            pops, pushes = 3 + (arg & 1), 1
        elif name == "UNPACK_SEQUENCE":
            pops, pushes = 1, arg
        elif name == "FORMAT_VALUE":
            pops, pushes = 1 + bool(arg & 4), 1
        elif name == "SWAP" and len(stack) >= arg:
            stack[-1], stack[-arg] = stack[-arg], stack[-1]
            continue
        elif name == "COPY" and len(stack) >= arg:
            stack.append(stack[-arg])  # the same value twice: each taker counts
            continue
        elif name.startswith("POP_JUMP_") or name in ("JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"):
            if name.startswith("JUMP_IF") and jump is not None:
                keep(jump, stack)
            pops, pushes = 1, 0
        elif name in fixed:
            pops, pushes = fixed[name]
        else:  # not modelled: whatever is on the stack may be what it takes
            for place, entry in enumerate(reversed(stack)):
                take(k, None, entry)
            try:
                net = dis.stack_effect(i.opcode, arg if i.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
            except ValueError:
                net = 0
            stack = [frozenset()] * max(0, len(stack) + net)
            if jump is not None:
                keep(jump, stack)
            continue
        for place in range(pops):
            take(k, place, stack.pop() if stack else frozenset())
        stack.extend([frozenset((k,))] * pushes)
        if jump is not None and not name.startswith("JUMP_IF"):
            keep(jump, stack)
    return took, calls


def _ptsfast_call_window(test_code, caught, decimal=None, budget=2000, kept=None, holding=None, uses=None,
                         call_count=None):
    """What a call of the solution's function by the tests may change of theirs. ``around(fn, args, kwargs)`` makes
    the call (:func:`_ptsfast_checked`); ``load(run)`` runs the solution's module code; ``start(ns, theirs, own)`` arms
    the checks once the tests' module has run in ``ns`` (``theirs``: the names it bound; ``own``: the solution's
    namespace).

    The tests' namespace is the solution's to reach (a helper function's ``__globals__``, a helper class's methods'):
    a name there rebound or added (``EXPECTED``, a ``len`` over the builtin) during the call, or the data the tests
    never handed the solution (neither in a call's arguments nor in what it returned) changed in place (a list of
    cases cleared while the tests loop over it), fails the run; a function of the tests' that changes what it
    looks up (``seen.append``) may have run in the call, so what such functions name is left out. Looked at only
    where the tests define a function or class beyond their tests (nothing else leads there), ``budget`` items
    deep. And the ``decimal`` context the tests compute in: the solution's module and its calls run in a context
    of their own (its ``getcontext().prec = 1`` made the tests' ``Decimal(1) / 3`` what it returned); a precision
    it raises reaches the tests' context, as in a plain run (its ``1/7`` to 50 digits against theirs).

    A thread the solution leaves running (``threading.Timer``, a pool's worker) changes the tests' data after its
    call returned: while more threads run than before the solution's module did, ``later()`` (at each value read,
    and as each call starts) holds the tests' data to what the last call left, less what their own code changes in
    place (``CACHE.append``, ``CACHE[k] = v``), until those threads are gone.

    ``kept``: what the solution's calls handed the tests, held until the tests' next read (drop()) or the next call
    starts, and dropped in a window: a temporary the tests drop (``candidate(f).apply(xs)``'s object) freed what
    held a weakref callback or a ``__del__`` of the solution's, which ran between the call and the comparison.
    ``call_count``: a one-item list counted up at each call (a skip after one is not the tests' own)."""
    import _thread, dis, types
    from collections import Counter, OrderedDict, defaultdict, deque
    from itertools import compress, islice
    from operator import is_
    namespace, mro_of = type.__dict__["__dict__"].__get__, type.__dict__["__mro__"].__get__
    getcontext = decimal.getcontext if decimal is not None else None
    setcontext = decimal.setcontext if decimal is not None else None
    fields = ("prec", "rounding", "Emin", "Emax", "capitals", "clamp")
    mine = [None]  # the solution's decimal context
    armed, handed, alive = [], set(), []  # handed: ids of what the tests gave the solution or it gave them (kept alive)
    mappings, sequences = {dict, OrderedDict, defaultdict, Counter}, {list, deque, set}
    kinds = mappings | sequences | {tuple, frozenset, bytearray}
    # the tests' functions beyond their entries (check, test_*, a test class's methods, comprehensions): helpers,
    # lambdas, a helper class's methods, which the solution may be handed and call; what those that change
    # anything (a call, an item or attribute set) look up is theirs to change
    changing = {"STORE_SUBSCR", "DELETE_SUBSCR", "STORE_ATTR", "DELETE_ATTR"}
    def entry(c):
        where = str(getattr(c, "co_qualname", c.co_name))
        return c.co_name == "<module>" or c.co_name.startswith("<") and c.co_name != "<lambda>" or (
            "<locals>" not in where and (c.co_name == "check" or c.co_name.startswith("test") or where.startswith(
                "Test")))

    helpers = [c for c in test_code if not entry(c)]
    reach = bool(helpers)
    free, owners = set(), set()  # owners: the tests' classes whose code changes what they, or objects made before
    # the call, hold (a count kept on the class, an add_child): theirs to change
    import builtins

    def made(c, ops):  # an __init__ that sets only the new object's attributes, and reaches nothing but builtins
        me = c.co_varnames[0] if c.co_argcount else None
        return c.co_name == "__init__" and not any(
            i.opname in ("STORE_SUBSCR", "DELETE_SUBSCR", "DELETE_ATTR") or i.opname == "STORE_ATTR" and not (
                k and ops[k - 1].opname == "LOAD_FAST" and ops[k - 1].argval == me) or i.opname in (
                "LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF") and not hasattr(builtins, i.argval)
            for k, i in enumerate(ops))

    # a helper that changes nothing (no item or attribute set, no method called, no call but of the harness's checks,
    # of builtins that only read, and of such helpers of theirs) leaves what it reads watched: a same(r) comparing r
    # to EXPECTED (a call of the compare check) let the solution's call rewrite EXPECTED unseen
    readers = {"len", "abs", "min", "max", "sum", "sorted", "list", "tuple", "set", "frozenset", "dict", "str", "int",
               "float", "bool", "round", "all", "any", "isinstance", "type", "repr", "range", "enumerate", "zip",
               "reversed", "hash", "ord", "chr", "divmod", "pow", "complex", "bytes", "format"} - {
        i.argval for c in test_code for i in dis.get_instructions(c) if i.opname in ("STORE_NAME", "STORE_GLOBAL")}

    def reads_only(c, pure, depth=0):
        ops = list(dis.get_instructions(c))
        for k, i in enumerate(ops):
            if i.opname in changing or i.opname in ("LOAD_METHOD", "CALL_FUNCTION_EX", "IMPORT_NAME", "STORE_GLOBAL",
                                                    "DELETE_GLOBAL", "STORE_DEREF", "DELETE_DEREF") or i.opname in (
                    "YIELD_VALUE", "SEND", "GET_AWAITABLE"):
                return False
            if i.opname == "LOAD_GLOBAL" and i.arg & 1 and i.argval not in pure:  # (NULL +): a call of what it names
                return False
            if i.opname == "PUSH_NULL" and not (k + 1 < len(ops) and ops[k + 1].opname == "LOAD_CONST" and type(
                    ops[k + 1].argval) is not types.CodeType):  # a call of a local, a parameter: anything
                return False
        return depth < 3 and all(reads_only(k, pure, depth + 1) for k in c.co_consts if type(k) is types.CodeType)

    top = {c.co_name: c for c in helpers if str(getattr(c, "co_qualname", c.co_name)) == c.co_name}
    quiet, pure = set(), set(readers)
    while True:  # (a helper calling a helper of theirs that only reads reads only)
        more = {c for c in helpers if c not in quiet and reads_only(c, pure)}
        if not more:
            break
        quiet |= more
        pure |= {n for n, c in top.items() if c in quiet}
    store = bytes([dis.opmap["STORE_GLOBAL"], dis.opmap["DELETE_GLOBAL"]])
    bound = {i.argval for c in test_code if store[:1] in c.co_code[::2] or store[1:] in c.co_code[::2]
             for i in dis.get_instructions(c) if i.opname in ("STORE_GLOBAL", "DELETE_GLOBAL")}  # rebound by them

    def handed_on(ops, literals, pure, top):
        """The names the tests pass to a library's function (``random.shuffle(DATA)``, ``heapq.heappush(H, x)``,
        ``shuffle(DATA)`` imported): what it changes in place is their own change (a solution's thread left
        running was blamed for their shuffle). Not the harness's checks, builtins that only read, their own
        helpers or the solution's functions (a local: ``candidate``). Where an argument is more than a name or a
        constant, only the names after it are seen."""
        out, simple = set(), ("LOAD_CONST", "LOAD_FAST", "LOAD_NAME", "LOAD_DEREF", "LOAD_GLOBAL")
        for k, i in enumerate(ops):
            if i.opname not in ("LOAD_GLOBAL", "LOAD_NAME") or i.opname == "LOAD_GLOBAL" and i.arg & 1:
                continue
            j, after = k + 1, 0
            while j < len(ops) and (ops[j].opname in simple and not (ops[j].opname == "LOAD_GLOBAL" and ops[j].arg & 1)
                                    or ops[j].opname == "KW_NAMES"):
                after += ops[j].opname != "KW_NAMES"
                j += 1
            if j == len(ops) or ops[j].opname not in ("PRECALL", "CALL") or ops[j].arg <= after:
                continue
            s, m = 0, j - 1  # back to what pushed the callee: the arguments' net pushes, then it
            while m >= 0 and s < ops[j].arg + 1:
                o = ops[m]
                s += dis.stack_effect(o.opcode, o.arg if o.opcode >= dis.HAVE_ARGUMENT else None, jump=False)
                m -= 1
            callee = ops[m + 1]
            if callee.opname == "PUSH_NULL" and m + 4 < j and ops[m + 2].opname == "LOAD_CONST" and type(
                    ops[m + 2].argval) not in literals:  # the rewrite's plain(random.shuffle), plain(plain(np.random)
                # .shuffle): an attribute it wraps
                callee = next((o for o in ops[m + 3:k] if o.opname in ("LOAD_ATTR", "LOAD_METHOD")), callee)
            if callee.opname in ("LOAD_METHOD", "LOAD_ATTR") or callee.opname in ("LOAD_GLOBAL", "LOAD_NAME") and (
                    callee.argval not in pure and callee.argval not in top):
                out.add(i.argval)
        return out

    # the names whose data the tests' own code changes in place (a method called on it, an item or attribute set)
    mutated = set(bound)
    for c in test_code:
        ops = list(dis.get_instructions(c))
        for k, i in enumerate(ops):
            if i.opname in ("LOAD_GLOBAL", "LOAD_NAME") and k + 1 < len(ops) and (
                    ops[k + 1].opname in ("LOAD_ATTR", "LOAD_METHOD") or any(
                        j.opname in changing for j in ops[k + 1:k + 5])):
                mutated.add(i.argval)
    literals = (str, bytes, int, float, complex, tuple, frozenset, bool, type(None), type(...), types.CodeType)
    for c in test_code:
        mutated |= handed_on(list(dis.get_instructions(c)), literals, pure, top)

    def compared(ops, k):  # plain(NAME), as the rewrite wraps an operand of == or !=: read by the compare check only
        return 1 < k < len(ops) - 1 and ops[k - 2].opname == "PUSH_NULL" and ops[k - 1].opname == "LOAD_CONST" and type(
            ops[k - 1].argval) not in literals and ops[k + 1].opname in ("PRECALL", "CALL") and ops[k + 1].arg == 1

    # what a value read by the tests' code only goes on to: nothing of theirs it can change (a count, a truth)
    counted = {"len", "sum", "all", "any", "isinstance", "repr", "str", "hash", "ord", "bool", "int", "float", "round",
               "abs", "format", "chr", "complex", "divmod", "pow", "bytes"} & pure
    passed = {"sorted", "list", "tuple", "set", "frozenset", "dict", "min", "max"} & pure | {
        n for n, c in top.items() if c in quiet}  # what holds (or is) the value itself, read on in turn

    def read_only(ops, k, took, calls, depth=0, items=None):
        """Whether the value ``ops[k]`` pushed is only read: tested with ``in``, compared, counted (``len``), an item
        of it read only so, or passed through the harness's checks or a builtin that copies it and read only so.
        ``items`` gets a True for each item read on the way (a defaultdict's adds the key)."""
        takers = took.get(k)
        if not takers or depth > 8:
            return False
        for j, place in takers:
            o = ops[j]
            if place is None:
                return False
            if o.opname in ("CONTAINS_OP", "COMPARE_OP", "IS_OP"):
                continue
            if o.opname == "BINARY_SUBSCR" and items is not None:
                items.append(True)
            if o.opname in ("BINARY_SUBSCR", "BUILD_LIST", "BUILD_TUPLE", "BUILD_SET") and read_only(
                    ops, j, took, calls, depth + 1, items):  # an item of it, or it in a list: read on in turn
                continue
            if o.opname != "CALL" or place >= o.arg or j not in calls:
                return False
            x, y = calls[j]  # what pushed the callee's two places: NULL + a name, or NULL and a constant
            if len(x) != 1 or len(y) != 1:
                return False
            f, g = ops[next(iter(x))], ops[next(iter(y))]
            if f is g and f.opname == "LOAD_GLOBAL" and f.arg & 1:
                if f.argval in counted:
                    continue
                if f.argval in passed and read_only(ops, j, took, calls, depth + 1, items):
                    continue
                return False
            if f.opname != "PUSH_NULL" or g.opname != "LOAD_CONST":
                return False
            kind = getattr(g.argval, "__self__", None)  # the harness's checks: compare ends it, plain hands it on
            kind = kind[1] if type(kind) is tuple and len(kind) > 1 else None
            if kind == "compare" or kind == "plain" and read_only(ops, j, took, calls, depth + 1, items):
                continue
            return False
        return True

    spared = set()  # what changing helpers only compare (left watched where no freed name reaches it)
    indexed = set()  # the names whose items helpers read: a defaultdict's reading adds the key
    for c in helpers:
        ops = list(dis.get_instructions(c))
        loads = [(k, i.argval) for k, i in enumerate(ops) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
        took, calls = uses(ops) if uses is not None else ({}, {})
        indexed.update(n for k, n in loads if any(ops[j].opname == "BINARY_SUBSCR" and place == 1
                                                  for j, place in took.get(k, ())))
        if c not in quiet and any(i.opname in changing or i.opname.startswith("CALL") for i in ops):
            # what it only compares stays watched (unless their own code changes it): a same(r) that prints r, then
            # returns r == EXPECTED (or r in EXPECTED, len(EXPECTED), EXPECTED[0]), let the solution's call rewrite
            # EXPECTED unseen
            items = {}
            only = {n for _, n in loads if n not in mutated and all(
                compared(ops, k) or read_only(ops, k, took, calls, 0, items.setdefault(n, []))
                for k, m in loads if m == n)}
            indexed.update(n for n in only if items.get(n))
            free.update(set(c.co_names) - only)
            spared.update(only)
            where = str(getattr(c, "co_qualname", ""))
            if "." in where and "<locals>" not in where.split(".")[0] and not made(c, ops):
                owners.add(where.split(".")[0])
    names = set().union(*(c.co_names for c in test_code))
    bindings_kept = not names & {"globals", "exec", "eval", "vars", "__import__"}
    # between calls, their setup may rebind their names some other way (setattr, monkeypatch, patch)
    rebinding_kept = bindings_kept and not names & {"setattr", "delattr", "monkeypatch", "patch", "modules"}
    threads, pending = [0], []  # threads running before the solution; what a call left
    listdir, running = __import__("os").listdir, _thread._count

    def count():  # the process's threads as the OS has them: one _thread.start_new_thread made is there at once,
        # while _thread._count() counts it only once it first runs, after the call's check had looked
        try:
            return len(listdir("/proc/self/task"))
        except OSError:  # no /proc (a host that refused the sandbox its own)
            return running()

    base = []  # the tests' context as the solution last left it (a copy, and its key): what differs from it at a
    # call, the tests set themselves

    def key(c):  # its settings, as one string made in C (a call's cost: ~1 us); the flags it raised left out
        r = repr(c)
        a = r.find(", flags=")
        return r[:a] + r[r.find("], traps=", a):]

    def follow(theirs):  # what the tests set themselves (localcontext(prec=5)) the solution's calls compute in too
        if base and key(theirs) != base[1]:
            for f in fields:
                if getattr(theirs, f) != getattr(base[0], f):
                    setattr(mine[0], f, getattr(theirs, f))
            for signal, on in dict(theirs.traps).items():
                if base[0].traps[signal] != on:
                    mine[0].traps[signal] = on

    def back(theirs):  # the tests' context again, with a precision the solution raised (as in a plain run)
        mine[0] = getcontext()
        setcontext(theirs)
        raised = mine[0].prec  # read once, and a plain int (a class of the solution's could answer > as it likes)
        if type(raised) is int and raised > theirs.prec:
            theirs.prec = raised
        base[:] = [theirs.copy(), key(theirs)]

    def load(run):
        threads[0] = count()
        if getcontext is None:
            return run()
        theirs = getcontext()
        mine[0] = theirs.copy()
        setcontext(mine[0])
        try:
            return run()
        finally:
            back(theirs)

    space = []  # the tests' namespace
    shallow = [5 * 10 ** 7]  # items the run may hold past the budget, all calls together (~1 s of C-level copies
    # and compares): a few thousand cases read whole at each of a few thousand calls
    classes = {}  # id: the tests' own classes (their instances' attributes and their classes' data are walked)
    roots = []

    def start(ns, theirs, own):
        space.append(ns)
        for k, v in theirs.items():
            if isinstance(v, type) and getattr(v, "__module__", None) == ns.get("__name__") and k not in owners:
                classes[id(v)] = v
        kinds.update(classes.values())
        mine_values = {id(v) for v in own.values()}
        roots.extend(k for k, v in theirs.items() if not k.startswith("__") and k not in free and id(v) not in
                     mine_values and not isinstance(v, (types.FunctionType, types.ModuleType, types.BuiltinFunctionType,
                                                       types.MethodType)))
        if spared - free:  # what a freed name reaches (an alias, a dict holding it) stays theirs to change
            reached = walk([v for k, v in theirs.items() if k in free and not k.startswith("__")], {}, ())
            roots[:] = [k for k in roots if k not in spared or id(theirs[k]) not in reached]
        # a defaultdict a helper reads an item of gains the key (SEEN[x] == 0, a helper the solution calls): theirs
        roots[:] = [k for k in roots if k not in indexed or k in free or not any(
            type(v[0]) is defaultdict for v in walk([theirs[k]], {}, ()).values())]
        each[0] = reach and any(k in mutated for k in roots)
        armed.append(True)
        if reach and count() > threads[0]:  # a thread its module started: the tests' data held from here
            hold(ns)

    def walk(objects, found, avoid, whole=False):
        """Breadth first through the plain containers and the tests' own objects and classes, up to ``budget``
        items in all: ``found[id] = (object, its size, what it holds now up to there)``. ``whole``: a list's, a
        dict's or a bytearray's items past the budget are held too (looked at as they are, not walked into), and
        so is each of ``objects`` once the budget is spent, while the run's ``shallow`` allowance lasts (a list of
        3,000 cases whose 2,500th the solution rewrote)."""
        queue, k, left = list(objects), 0, budget
        if shallow[0] <= 0:
            whole = False
        tops = len(queue) if whole else 0
        while k < len(queue) and (left > 0 or k < tops):  # whole: each root is held, past the budget too
            o = queue[k]
            k += 1
            i, t, cap = id(o), type(o), max(left, 0)
            if i in found or i in avoid:
                continue
            if t in mappings or id(t) in classes:
                if t in mappings:
                    d = o
                else:  # an object of the tests' own class: what it holds
                    try:
                        d = object.__getattribute__(o, "__dict__")
                    except Exception:
                        continue
                    if type(d) is not dict:
                        continue
                size = len(d)
                if whole and cap < size <= shallow[0]:
                    shallow[0] -= size
                    held = (tuple(dict.keys(d)), tuple(dict.values(d)))
                    items = held[1][:cap]
                elif cap or not size:
                    held = (tuple(islice(dict.keys(d), cap)), tuple(islice(dict.values(d), cap)))
                    items = held[1]
                else:
                    continue
            elif t in sequences:
                size = len(o)
                if whole and cap < size <= shallow[0]:
                    shallow[0] -= size
                    held = tuple(o)
                    items = held[:cap]
                elif cap or not size:
                    held = items = tuple(islice(o, cap))
                else:
                    continue
            elif t is bytearray:
                size, items = len(o), ()
                if whole and cap < size <= shallow[0]:
                    shallow[0] -= size
                    held = bytes(o)
                elif cap or not size:
                    held = bytes(o[:cap])
                else:
                    continue
            elif t is tuple or t is frozenset:
                size, held, items = 0, None, tuple(islice(o, cap))
            elif i in classes:  # a class of the tests': its data (methods added are the solution's business)
                held = tuple((a, w) for a, w in namespace(o).items() if not a.startswith("__") and not callable(w)
                             and not any("__get__" in namespace(b) for b in mro_of(type(w))))
                size, items = len(held), tuple(w for _, w in held)
            else:
                continue
            found[i] = (o, size, held)
            left -= len(items) + 1
            # C-level: ~10 ns an item
            queue.extend(compress(items, map(kinds.__contains__, map(type, items))))
        return found

    def hand(*values):  # what passed between the tests and the solution is both's to change
        objects = []
        for v in values:
            if type(v) is types.MethodType:
                v = v.__self__
            objects.append(v)
        found = walk(objects, {}, handed)
        handed.update(found)
        alive.extend(o for o, _, _ in found.values())

    def changed(found):
        for i, (o, size, held) in found.items():
            if i in handed:
                continue
            t = type(o)
            if t in mappings or id(t) in classes and i not in classes:
                d = o if t in mappings else object.__getattribute__(o, "__dict__")
                keys, values = held
                if len(d) != size or not (all(map(is_, dict.keys(d), keys)) and all(map(is_, dict.values(d),
                                                                                               values))):
                    return o
            elif t in sequences:
                if len(o) != size or not all(map(is_, o, held)):
                    return o
            elif t is bytearray:
                if len(o) != size or o[:len(held)] != held:
                    return o
            elif i in classes:
                d = namespace(o)
                if any(d.get(a, held) is not w for a, w in held):
                    return o
        return None

    def culprit(ns, before):
        for k in set(before) | set(ns):
            if k.startswith("__") or k in bound:
                continue
            if ns.get(k, before) is not before.get(k, ns):
                return k
        return None

    def around(fn, args, kwargs):
        was = getcontext() if getcontext is not None and mine[0] is not None else None
        if was is mine[0]:  # a call within one of its own calls (the tests' helper calling it back)
            was = None
        if was is not None:
            follow(was)
            setcontext(mine[0])
        watching = bool(armed) and reach
        inside[0] += 1
        try:
            if watching:
                later(True)
                ns = space[0]
                hand(args, kwargs)
                before = dict(ns) if bindings_kept else None
                found = walk([ns[k] for k in roots if k in ns], {}, handed, True)
        except BaseException:
            inside[0] -= 1
            raise
        value, returned = None, False
        held[0] = True  # the solution's operators run in this window: no hold of their own
        try:
            if kept:
                del kept[:]  # what the last calls returned goes here, in this window
            if call_count is not None:
                call_count[0] += 1
            value = fn(*args, **kwargs)
            returned = True
        finally:  # a call that raises (the tests expecting it) is looked at too
            with flag:
                inside[0] -= 1
                if not inside[0]:
                    held[0] = bool(touching) and not each[0]
            if was is not None:
                back(was)
            if watching:
                if returned:
                    hand(value)
                if count() > threads[0]:  # threads left running: what the call left is held until they end,
                    hold(ns)  # from before the check below (a thread's change in between is the check's to see)
                verify(ns, before, found)
        if type(value) is types.GeneratorType and (watching or getcontext is not None):
            return relay(value)
        if type(value) is types.CoroutineType and (watching or getcontext is not None):
            return stepped(value)
        if type(value) is types.AsyncGeneratorType and (watching or getcontext is not None):
            return stepped_through(value)
        return value

    def verify(ns, before, found, when=""):
        k = culprit(ns, before) if before is not None and (len(before) != len(ns) or not all(
            map(is_, map(ns.get, before), before.values()))) else None
        if k is not None:
            caught.append("the solution rebound %s in its tests' namespace%s: not allowed" % (k, when))
            raise RuntimeError(caught[-1])
        o = changed(found)
        if o is not None:
            caught.append("the solution changed the tests' own data in place (a %s they never handed it)%s: not "
                          "allowed" % (type(o).__name__, when))
            raise RuntimeError(caught[-1])

    def hold(ns):
        pending[:] = [(ns, dict(ns) if rebinding_kept else None, walk(
            [ns[k] for k in roots if k in ns and k not in mutated], {}, handed, True))]

    def collecting(phase, info):
        """A garbage collection outside the solution's calls is a window of its own: what it runs (a weakref
        callback or ``__del__`` of the solution's, on an object in a cycle, at the tests' ``gc.collect()`` or at a
        collection their allocations start) may change nothing of the tests'. A gc callback's error is only printed,
        so what it finds goes to ``caught``, which fails the run at its end."""
        if phase == "start":
            collected[:] = []
            if armed and reach and not inside[0]:
                ns = space[0]
                collected.append((ns, dict(ns) if bindings_kept else None,
                                  walk([ns[k] for k in roots if k in ns], {}, handed, True)))
        elif collected:
            ns, before, found = collected.pop()
            try:
                verify(ns, before, found, " from code the interpreter ran at a garbage collection (a finalizer or "
                                          "a weakref callback)")
            except RuntimeError:
                pass

    def drop():
        """What the last calls returned, at each read of the tests': what they hold no longer (a value discarded,
        a temporary whose attribute they read) let go in a window of its own, so that what that frees (its
        ``__del__``, a weakref callback) may change nothing of theirs; what they still hold is kept (they may drop
        it before their next read)."""
        counts = list(map(refcount, kept))
        if 2 not in counts:
            return
        if not (armed and reach):
            kept[:] = [v for v, c in zip(kept, counts) if c != 2]
            return
        ns = space[0]
        before = dict(ns) if bindings_kept else None
        found = walk([ns[k] for k in roots if k in ns], {}, handed, True)
        inside[0] += 1
        try:
            kept[:] = [v for v, c in zip(kept, counts) if c != 2]
        finally:
            inside[0] -= 1
        verify(ns, before, found, " as what it returned was freed")

    def touched():
        """An operator of the solution's own (``==``, ``<``, truth, ``hash``, ``in``) that the tests' code, or a
        library they call, runs outside its calls (``sorted()``, an ``if``, a ``set()``): the tests' data is held
        from its first such run to their next read (later()), less what their own code changes in place. A window
        around each run cost a heap of the solution's nodes 2-2.5x; a ``__bool__`` rewriting ``EXPECTED`` at the
        tests' ``if r:`` passed.

        The data the tests change in place themselves (``EXPECTED.append``) cannot be held to their next read:
        where there is such data, it is looked at around each run instead (the function returned, called as the
        operator returns), and the flag stays down so that each run comes here; a ``__bool__`` rewriting a list the
        tests append to passed."""
        with flag:  # (a call ending in another thread sets the flag too)
            if inside[0] or not armed or touching and not each[0]:
                return None
            ns = space[0] if reach else None
            if not touching:
                if reach:
                    touching.append((ns, dict(ns) if rebinding_kept else None, walk(
                        [ns[k] for k in roots if k in ns and k not in mutated], {}, handed, True)))
                held[0] = not each[0]  # (without helpers of the tests' nothing leads to their data: held for good)
        if not each[0]:
            return None
        bindings = [(k, ns.get(k, ns)) for k in bound]  # what the tests rebind themselves, as the operator starts
        found = walk([ns[k] for k in roots if k in ns and k in mutated], {}, handed, True)

        def after():
            when = " from an operator of its own (==, <, truth, hash, in) the tests ran"
            if held[0] is not False:  # the flag the wrappers read, raised to skip the next runs' checks
                caught.append("the solution changed what a check of the harness reads: not allowed")
                raise RuntimeError(caught[-1])
            for k, v in bindings:
                if ns.get(k, ns) is not v:
                    caught.append("the solution rebound %s in its tests' namespace%s: not allowed" % (k, when))
                    raise RuntimeError(caught[-1])
            verify(ns, None, found, when)
        return after

    def later(entering=False):
        """The tests' data as the last call left it, while threads the solution left run (and once after); and what
        the last calls returned, let go (drop()); and as it was before an operator of the solution's ran (touched())."""
        if reach and armed and not any(c is collecting for c in gc_callbacks):
            caught.append("the solution took the harness's callback out of gc.callbacks: not allowed")
            raise RuntimeError(caught[-1])
        if inside[0] == entering and reach and armed:  # (entering: as a call starts, inside it already)
            with flag:
                wrong, held[0] = held[0] is not (bool(touching) and not each[0]), False
                taken = touching.pop() if touching else None
            if wrong:  # the flag is the solution's to reach (the operators' wrappers' code)
                caught.append("the solution changed what a check of the harness reads: not allowed")
                raise RuntimeError(caught[-1])
            if taken is not None:
                ns, before, found = taken
                verify(ns, before, found, " from an operator of its own (==, <, truth, hash, in) the tests ran")
        if kept and not inside[0]:
            drop()
        if pending:
            ns, before, found = pending[0]
            if count() <= threads[0]:
                del pending[:]
            verify(ns, before, found, " from code it left running (a thread) after its call returned")

    def relay(gen):
        """The solution's generator, each step of which (its body runs only as the tests iterate it: list(f(x)))
        is a call of its own, in the window; what the tests send or throw in reaches it as before. Dropped in the
        window too: what its end frees (a weakref callback on it) runs there, not before the tests compare."""
        sent, thrown, box, done = None, None, [gen], None
        del gen
        while done is None:
            try:
                if thrown is None:
                    value = around(box[0].send, (sent,), {})
                else:
                    value = around(box[0].throw, (thrown,), {})
            except StopIteration as e:
                done = (e.value,)
                continue
            sent, thrown = None, None
            try:
                sent = yield value
            except GeneratorExit:
                around(box[0].close, (), {})
                around(box.clear, (), {})
                raise
            except BaseException as e:
                thrown = e
        around(box.clear, (), {})
        return done[0]

    class Steps:  # what an await of the solution's coroutine goes through: its steps, relayed
        __slots__ = ("steps",)

        def __await__(self):
            return self.steps

    async def stepped(coro):
        """The solution's coroutine (its body runs as the tests' event loop steps it: asyncio.run(f(x))), each step
        a call of its own in the window, as a generator's are."""
        s = Steps()
        s.steps = relay(coro.__await__())
        del coro
        return await s

    async def stepped_through(agen):
        """The solution's async generator (its body runs as the tests' ``async for`` steps it), each step of each
        ``asend``/``athrow``/``aclose`` in the window, as a coroutine's are."""
        sent, thrown = None, None
        while True:
            try:
                value = await stepped(agen.asend(sent) if thrown is None else agen.athrow(thrown))
            except StopAsyncIteration:
                return
            sent, thrown = None, None
            try:
                sent = yield value
            except GeneratorExit:
                await stepped(agen.aclose())
                raise
            except BaseException as e:
                thrown = e

    import gc
    inside, collected, gc_callbacks = [0], [], gc.callbacks  # calls of the solution's under way; see collecting()
    touching = []  # the tests' data before an operator of the solution's ran outside its calls (touched())
    each = [False]  # whether some of that data the tests change in place themselves (touched())
    held = holding if holding is not None else [False]  # True while touching or within a call: see touched()
    flag = _thread.RLock()  # (re-entered by a signal handler of the solution's, run in a window of its own)
    refcount = __import__("sys").getrefcount  # 2 for an item only ``kept`` holds, as map() hands it over
    gc_callbacks.append(collecting)
    return around, load, start, later, touched


def _ptsfast_fixtures():
    """pytest's ``tmp_path``, ``tmpdir``, ``tmp_path_factory``, ``capsys``, ``capfd``, ``caplog``, ``recwarn`` and
    ``monkeypatch``, as ``{name: make}``; ``make()`` gives ``(value, finish)``. Run with bare globals
    (:func:`_ptsfast_bare`): their classes are reachable by the solution."""
    import contextlib, io, logging, os, pathlib, sys, tempfile, warnings

    def tmp_path():
        return pathlib.Path(tempfile.mkdtemp(prefix="pytest-")), lambda: None

    def tmpdir():  # pytest's py.path.local (the tests are refused where pytest is not installed)
        import py
        return py.path.local(tempfile.mkdtemp(prefix="pytest-")), lambda: None

    class CaptureResult(tuple):
        out = property(lambda self: self[0])
        err = property(lambda self: self[1])

    def capture_io():  # pytest's CaptureIO: text over bytes, so a program's sys.stdout.buffer.write is captured too
        return io.TextIOWrapper(io.BytesIO(), encoding="UTF-8", newline="", write_through=True)

    class CaptureFixture:
        def __init__(self):
            self.saved, self.out, self.err = (sys.stdout, sys.stderr), capture_io(), capture_io()
            sys.stdout, sys.stderr = self.out, self.err

        def readouterr(self):
            got = CaptureResult(tuple(f.buffer.getvalue().decode("UTF-8") for f in (self.out, self.err)))
            for f in (self.out, self.err):
                f.seek(0)
                f.truncate()
            return got

        @contextlib.contextmanager
        def disabled(self):  # with capsys.disabled(): what is printed goes out, uncaptured
            now = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = self.saved
            try:
                yield
            finally:
                sys.stdout, sys.stderr = now

        def close(self):
            sys.stdout, sys.stderr = self.saved

    class FDCaptureFixture(CaptureFixture):  # capfd: descriptors 1 and 2 and sys.stdout/err on one file each, as
        # pytest's: os.write(1, ...) and a subprocess's output are captured too
        def __init__(self):
            for f in (sys.stdout, sys.stderr):
                try:
                    f.flush()
                except Exception:
                    pass
            self.saved, self.fds = (sys.stdout, sys.stderr), [os.dup(1), os.dup(2)]
            self.out, self.err = (io.TextIOWrapper(tempfile.TemporaryFile(buffering=0), encoding="UTF-8",
                                                   errors="replace", newline="", write_through=True) for _ in "oe")
            os.dup2(self.out.buffer.fileno(), 1)
            os.dup2(self.err.buffer.fileno(), 2)
            sys.stdout, sys.stderr = self.out, self.err

        def readouterr(self):
            got = []
            for f in (self.out, self.err):
                f.buffer.seek(0)
                got.append(f.buffer.read().decode("UTF-8", "replace"))
                f.buffer.seek(0)
                f.buffer.truncate()
            return CaptureResult(tuple(got))

        def close(self):
            sys.stdout, sys.stderr = self.saved
            for k, fd in zip((1, 2), self.fds):
                os.dup2(fd, k)
                os.close(fd)
            self.out.close()
            self.err.close()

    class LogCaptureHandler(logging.Handler):  # pytest's: the records, and their text in pytest's log format
        def __init__(self):
            super().__init__(0)
            self.setFormatter(logging.Formatter("%(levelname)-8s %(name)s:%(filename)s:%(lineno)d %(message)s"))
            self.reset()

        def reset(self):
            self.records, self.stream = [], io.StringIO()

        def emit(self, record):
            self.records.append(record)
            self.stream.write(self.format(record) + "\n")

    class LogCaptureFixture:
        def __init__(self):
            self.handler, self.levels = LogCaptureHandler(), {}
            logging.getLogger().addHandler(self.handler)

        records = property(lambda self: self.handler.records)
        text = property(lambda self: self.handler.stream.getvalue())
        messages = property(lambda self: [r.getMessage() for r in self.records])
        record_tuples = property(lambda self: [(r.name, r.levelno, r.getMessage()) for r in self.records])

        def get_records(self, when):
            return self.records

        def clear(self):
            self.handler.reset()

        def set_level(self, level, logger=None):  # until the test ends
            target = logging.getLogger(logger)
            self.levels.setdefault(logger, target.level)
            self.levels.setdefault(self.handler, self.handler.level)
            target.setLevel(level)
            self.handler.setLevel(level)

        @contextlib.contextmanager
        def at_level(self, level, logger=None):
            target = logging.getLogger(logger)
            old = target.level, self.handler.level
            target.setLevel(level)
            self.handler.setLevel(level)
            try:
                yield
            finally:
                target.setLevel(old[0])
                self.handler.setLevel(old[1])

        def close(self):
            for k, level in self.levels.items():
                (k if isinstance(k, logging.Handler) else logging.getLogger(k)).setLevel(level)
            logging.getLogger().removeHandler(self.handler)

    class WarningsRecorder(warnings.catch_warnings):  # recwarn: every warning the test raises, recorded
        def __init__(self):
            super().__init__(record=True)
            self.list = super().__enter__()
            warnings.simplefilter("always")

        def __getitem__(self, i):
            return self.list[i]

        def __iter__(self):
            return iter(self.list)

        def __len__(self):
            return len(self.list)

        def pop(self, cls=Warning):  # the first of that class exactly, else the first of a subclass (pytest's)
            found = [i for i, w in enumerate(self.list) if issubclass(w.category, cls)]
            exact = [i for i in found if self.list[i].category is cls]
            if not found:
                raise AssertionError("%r not found in warning list" % (cls,))
            return self.list.pop((exact or found)[0])

        def clear(self):
            self.list[:] = []

    class TempPathFactory:  # tmp_path_factory: numbered folders under one base
        base = None

        def getbasetemp(self):
            if self.base is None:
                self.base = pathlib.Path(tempfile.mkdtemp(prefix="pytest-of-"))
            return self.base

        def mktemp(self, basename, numbered=True):
            n = 0
            while numbered and (self.getbasetemp() / ("%s%d" % (basename, n))).exists():
                n += 1
            path = self.getbasetemp() / (basename + ("%d" % n if numbered else ""))
            path.mkdir()
            return path

    factory = TempPathFactory()
    missing = object()

    class MonkeyPatch:
        def __init__(self):
            self.undo_list = []

        def setattr(self, target, name, value=missing, raising=True):
            if value is missing:  # setattr("os.getcwd", fake)
                if not isinstance(target, str):
                    raise TypeError("use setattr(target, name, value) or setattr('module.attr', value)")
                value, (path, name) = name, target.rsplit(".", 1)
                import importlib
                parts = path.split(".")
                target = importlib.import_module(parts[0])
                for i, part in enumerate(parts[1:], 1):
                    target = getattr(target, part) if hasattr(target, part) else importlib.import_module(
                        ".".join(parts[:i + 1]))
            old = getattr(target, name, missing)
            if old is missing and raising:
                raise AttributeError(f"{target!r} has no attribute {name!r}")
            self.undo_list.append(self.restore(target, name))
            setattr(target, name, value)

        def restore(self, target, name):  # as pytest undoes: a class gets back what its own namespace held (a
            # staticmethod as such, an inherited method inherited again), anything else the value it had
            old = vars(target).get(name, missing) if isinstance(target, type) else getattr(target, name, missing)
            return lambda: setattr(target, name, old) if old is not missing else delattr(target, name)

        def delattr(self, target, name, raising=True):
            if not hasattr(target, name):
                if raising:
                    raise AttributeError(name)
                return
            self.undo_list.append(self.restore(target, name))
            delattr(target, name)

        def setitem(self, dic, name, value):
            old = dic.get(name, missing)
            self.undo_list.append(lambda: dic.__setitem__(name, old) if old is not missing else dic.pop(name, None))
            dic[name] = value

        def delitem(self, dic, name, raising=True):
            if name not in dic:
                if raising:
                    raise KeyError(name)
                return
            old = dic[name]
            self.undo_list.append(lambda: dic.__setitem__(name, old))
            del dic[name]

        def setenv(self, name, value, prepend=None):
            value = str(value)
            if prepend and name in os.environ:
                value = value + prepend + os.environ[name]
            self.setitem(os.environ, name, value)

        def delenv(self, name, raising=True):
            self.delitem(os.environ, name, raising)

        def chdir(self, path):
            old = os.getcwd()
            self.undo_list.append(lambda: os.chdir(old))
            os.chdir(path)

        def syspath_prepend(self, path):
            old = list(sys.path)
            self.undo_list.append(lambda: sys.path.__setitem__(slice(None), old))
            sys.path.insert(0, str(path))

        def undo(self):
            while self.undo_list:
                self.undo_list.pop()()

        @classmethod
        @contextlib.contextmanager
        def context(cls):  # with monkeypatch.context() as m: patches undone when the block ends
            m = cls()
            try:
                yield m
            finally:
                m.undo()

    def capsys():
        c = CaptureFixture()
        return c, c.close

    def monkeypatch():
        m = MonkeyPatch()
        return m, m.undo

    def capfd():
        c = FDCaptureFixture()
        return c, c.close

    def caplog():
        c = LogCaptureFixture()
        return c, c.close

    def recwarn():
        r = WarningsRecorder()
        return r, lambda: r.__exit__(None, None, None)

    return {"tmp_path": tmp_path, "tmpdir": tmpdir, "capsys": capsys, "monkeypatch": monkeypatch, "capfd": capfd,
            "caplog": caplog, "recwarn": recwarn, "tmp_path_factory": lambda: (factory, lambda: None)}


def _ptsfast_pytest(ns, seal, fixtures, theirs, beside_unittest=False, own_skip=None):
    """Runs the tests' ``test_*`` functions and ``Test*`` classes' methods (parametrized), after ``seal()``: the
    functions, their marks and the classes' ``setup_method``/``teardown_method`` are collected first, and called as
    collected (:func:`_ptsfast_sealed`); a test that asks for one of ``fixtures`` (:func:`_ptsfast_fixtures`) gets
    a fresh one, undone after it; the tests' own fixtures live as long as their scope says (a ``module`` or
    ``session`` one is made once and undone after the last test, a ``class`` one once a class). ``theirs``: the names
    the tests bound themselves (the module's ``pytestmark`` and what a mark's condition string reads are the tests',
    never the solution's). ``beside_unittest``: the tests' ``TestCase`` classes run apart; here none need run.
    ``own_skip(e)``: whether a skip raised in a test is its own code's (:func:`_ptsfast_own_skip`), which skips it."""
    import itertools, types

    def asks(fn, is_method, table):  # the fixtures a test names: its parameters, less mock.patch's (they come first)
        inner = fn
        while getattr(inner, "__wrapped__", None) is not None:
            inner = inner.__wrapped__
        code = getattr(inner, "__code__", None)
        if code is None:
            return []
        names = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])[int(is_method):]
        mocks = 0
        if getattr(fn, "patchings", None):  # each patch without a new value passes a mock, positionally
            from unittest import mock
            mocks = sum(p.new is mock.DEFAULT and not p.attribute_name for p in fn.patchings)
        return [n for n in names[mocks:] if n in fixtures or n in table or n == "request"]

    def fixtures_in(space, into, definitions):  # the fixture definitions among a module's or a class's names
        for k, v in list(space.items()):
            marker = None
            if type(v).__module__ == "_pytest.fixtures":  # pytest >= 8.4 wraps the function in a definition object
                marker, fn = getattr(v, "_fixture_function_marker", None), getattr(v, "_fixture_function", None)
            elif isinstance(v, types.FunctionType) and "_pytestfixturefunction" in vars(v):  # older pytest
                marker = vars(v)["_pytestfixturefunction"]
                fn = getattr(vars(v).get("__pytest_wrapped__"), "obj", None)
            if marker is not None and isinstance(fn, types.FunctionType):
                scope = getattr(marker, "scope", "function")
                into[marker.name or fn.__name__] = fn, bool(marker.autouse), scope if isinstance(scope, str) else \
                    "function"
                definitions.add(k)
        return into

    definitions, in_classes = set(), set()
    # the tests' fixtures: name -> (function, autouse, scope); only those the tests bound (a solution's own capsys
    # or recwarn fixture, in their namespace beside its functions, would stand in for pytest's)
    own = fixtures_in({k: v for k, v in ns.items() if k in theirs}, {}, definitions)
    of_class = {}  # a Test class's fixture methods (its bases' too), bound to the test's instance when it runs
    wide, per_class = ({}, []), ({}, [])  # (made, finishes) of the module/session-scoped and class-scoped fixtures

    def undo(made, finishes):
        made.clear()
        while finishes:
            finishes.pop()()

    class Request:  # pytest's request, as fixtures and tests read it: param (an indirect parametrization's),
        # addfinalizer, getfixturevalue, node
        def __init__(self, name, finishes, made):
            self.fixturename, self.finishes, self.made = name, finishes, made
            if name in now["params"]:
                self.param = now["params"][name]
            self.node = types.SimpleNamespace(name=now["test"], nodeid="test_solution.py::" + now["test"])
            self.function, self.cls, self.instance = now["function"], now["cls"], now["instance"]
            self.module = module

        def addfinalizer(self, finish):
            self.finishes.append(finish)

        def getfixturevalue(self, name):
            return value_of(name, self.made, self.finishes)

    def arg_names(fn):
        code = getattr(fn, "__func__", fn).__code__
        return code.co_varnames[int(isinstance(fn, types.MethodType)):code.co_argcount]

    def value_of(name, made, finishes, asker=None):
        table = now["table"]
        if name == "request":
            return Request(asker, finishes, made)
        scope = table[name][2] if name in table and name not in made and name not in now["params"] else "function"
        if scope != "function":  # a wider one made once: it outlives the test
            made, finishes = per_class if scope == "class" else wide
        if name not in made:
            if name in table:
                fn = table[name][0]
                out = fn(**{p: value_of(p, made, finishes, name) for p in arg_names(fn)})
                if isinstance(out, types.GeneratorType):  # a yield fixture: what it yields, then its teardown
                    made[name] = next(out)
                    finishes.append(lambda g=out: next(g, None))
                else:
                    made[name] = out
            else:
                made[name], finish = fixtures[name]()
                finishes.append(finish)
        return made[name]
    now = {"table": own, "params": {}, "test": "", "function": None, "cls": None, "instance": None}
    mine = lambda v: getattr(v, "__module__", None) == "test_solution"
    marks_of = lambda v: list(getattr(v, "pytestmark", None) or [])
    top = theirs.get("pytestmark") or []  # the module's marks: one or a list
    top = list(top) if isinstance(top, (list, tuple)) else [top]
    tests, hooks, outer = [], {}, {}  # outer: a nested class's fixtures that its outer classes define (name: class)

    def collect(k, v, around, enclosing):  # a Test class; around, enclosing: the marks and fixtures (name: (fixture,
        # its class)) of the classes it is nested in, which pytest gives it too
        hooks[v] = [getattr(v, h, None) for h in ("setup_method", "teardown_method")]
        of_class[v] = {n: f for n, (f, _) in enclosing.items()}
        for base in reversed(v.__mro__[:-1]):
            fixtures_in(vars(base), of_class[v], in_classes)
        outer[v] = {n: c for n, (f, c) in enclosing.items() if of_class[v][n] is f}  # not its own over them
        for m in dict.fromkeys(m for base in reversed(v.__mro__[:-1]) for m in vars(base)):  # inherited too
            if m.startswith("test") and callable(getattr(v, m)) and m not in in_classes:
                tests.append((k + "." + m, v, getattr(v, m), marks_of(getattr(v, m)) + marks_of(v) + around + top))
        for m, inner in list(vars(v).items()):  # a Test class nested in it: pytest runs it too
            if m.startswith("Test") and isinstance(inner, type) and mine(inner) and inner not in hooks and not any(
                    c.__module__ == "unittest.case" for c in inner.__mro__):
                collect(k + "." + m, inner, marks_of(v) + around,
                        {n: (f, outer[v].get(n, v)) for n, f in of_class[v].items()})

    for k, v in list(ns.items()):
        if k.startswith("test") and callable(v) and not isinstance(v, type) and mine(v) and k not in definitions:
            tests.append((k, None, v, marks_of(v) + top))
        elif k.startswith("Test") and isinstance(v, type) and mine(v) and not any(
                c.__module__ == "unittest.case" for c in v.__mro__):  # a TestCase runs as unittest runs it
            collect(k, v, [], {})
    if not tests and not beside_unittest:
        raise RuntimeError("no test_* function or Test* class was found")
    seal()
    if not tests:
        return

    def call_hook(owner, name, arg):  # xunit-style setup/teardown: setup_module(module) or setup_module()
        if isinstance(owner, dict):  # the tests' own hook (the solution's setup_module would get their module)
            h = owner.get(name) if name in theirs else None
            code = getattr(h, "__code__", None)
            if callable(h):
                h(*[arg][:code.co_argcount if code is not None else 0])
        elif callable(getattr(owner, name, None)):  # a class's: a classmethod, or a function given the class
            bound = any(isinstance(vars(k).get(name), (classmethod, staticmethod)) for k in owner.__mro__)
            getattr(owner, name)(*[] if bound else [owner])

    def with_arg(hook, arg):  # setup_method(self, method) or setup_method(self): pytest calls either
        code = getattr(getattr(hook, "__func__", hook), "__code__", None)
        hook(*[arg][:code.co_argcount - isinstance(hook, types.MethodType) if code is not None else 1])

    def holds(m):  # a skipif / xfail condition: a value, or a string pytest evaluates in the tests' module
        import os, platform, sys
        return any(bool(eval(c, {"os": os, "sys": sys, "platform": platform, **theirs}) if isinstance(c, str) else c)
                   for c in m.args)

    def skipped(marked):  # the tests' own skip / skipif marks
        return any(m.name == "skip" or (m.name == "skipif" and holds(m)) for m in marked)

    def expected_failure(marked):  # the tests' xfail mark, whose test must fail (and raise what it names)
        return next((m for m in marked if m.name == "xfail" and (not m.args or holds(m))), None)

    ran, module = 0, types.SimpleNamespace(**{k: v for k, v in ns.items() if isinstance(k, str)})
    call_hook(ns, "setup_module", module)
    ns.update({k: v for k, v in vars(module).items() if ns.get(k) is not v})  # module.BASE = 10: the tests' global
    class_done = []
    for name, cls, fn, marked in tests:
        if cls not in class_done[-1:]:  # a class's fixtures end with it (and those of the functions before it)
            undo(*per_class)
        if cls is not None and cls not in class_done:
            if class_done:
                call_hook(class_done[-1], "teardown_class", None)
            class_done.append(cls)
            call_hook(cls, "setup_class", None)
        obj = cls() if cls is not None else None
        func = types.MethodType(fn, obj) if cls is not None else fn
        setup, teardown = (types.MethodType(h, obj) if h is not None else None
                           for h in (hooks[cls] if cls is not None else (None, None)))
        table = own if cls is None else {**own, **{k: (types.MethodType(f, obj if k not in outer[cls] else outer[
            cls][k]()), *rest) for k, (f, *rest) in of_class[cls].items()}}  # the class's own fixtures (an outer
        # class's bound to an instance of that class)
        marks = [m for m in marked if getattr(m, "name", "") == "parametrize"]
        grids = []  # each a list of rows: (arguments, fixtures' request.param, marks)
        is_set = lambda v: type(v).__name__ == "ParameterSet"  # pytest.param(..., marks=...)
        for mark in marks:
            names = mark.args[0]
            names = [s.strip() for s in names.split(",")] if isinstance(names, str) else list(names)
            indirect = mark.kwargs.get("indirect", False)  # those names' values are their fixtures' request.param
            indirect = set(names) if indirect is True else set(indirect or ())
            rows = []
            for value in mark.args[1]:
                row_marks = list(value.marks) if is_set(value) else []
                if is_set(value):  # its values a tuple, of one where there is one name: pytest.param(3) gives 3
                    value = value.values if len(names) > 1 or len(value.values) != 1 else value.values[0]
                part = dict(zip(names, value if len(names) > 1 else [value]))
                rows.append(({k: v for k, v in part.items() if k not in indirect},
                             {k: v for k, v in part.items() if k in indirect}, row_marks))
            grids.append(rows)
        wanted = asks(fn, cls is not None, table)
        for combo in itertools.product(*grids) if grids else [()]:
            kwargs, chosen, these = {}, {}, [m for m in marked if hasattr(m, "name")]
            for part, params, row_marks in combo:
                kwargs.update(part)
                chosen.update(params)
                these += row_marks
            if skipped(these):
                continue
            xfail = expected_failure(these)
            made, finishes, skipped_here = dict(kwargs), [], False
            if own_skip is not None:
                own_skip.begin()
            now.update(table=table, params=chosen, test=name, function=func, cls=cls, instance=obj)
            try:  # in pytest's order: setup_function, the module's autouse fixtures, setup_method, the class's
                if cls is None:
                    call_hook(ns, "setup_function", fn)
                for fixture in [k for k, v in own.items() if v[1] and table.get(k) is v]:  # asked for or not
                    value_of(fixture, made, finishes)
                if setup is not None:
                    with_arg(setup, func)
                for fixture in [k for k in of_class.get(cls, ()) if table[k][1]]:
                    value_of(fixture, made, finishes)
                for fixture in dict.fromkeys(a for m in these if m.name == "usefixtures" for a in m.args):
                    value_of(fixture, made, finishes)  # @pytest.mark.usefixtures: made, not passed
                for fixture in wanted:
                    kwargs[fixture] = value_of(fixture, made, finishes)
                out = func(**kwargs)
                if isinstance(out, types.CoroutineType):  # an async test (pytest-asyncio's)
                    import asyncio
                    asyncio.run(out)
            except BaseException as e:  # SystemExit, pytest's outcomes (skip, xfail) inside a test: no pass; but
                # the failure the tests' own xfail mark expects (an Exception of what it raises), and a skip the
                # tests' own code raised (the test is skipped, as pytest skips it)
                skipped_here = own_skip is not None and own_skip(e)
                expected = skipped_here or xfail is not None and isinstance(e, Exception) and isinstance(
                    e, xfail.kwargs.get("raises") or Exception)
                if not expected:
                    raise AssertionError("test " + name + " failed: " + type(e).__name__ + ": " + str(e)[:300]) from e
            else:
                if xfail is not None and xfail.kwargs.get("strict"):
                    raise AssertionError("test " + name + " passed, but its tests mark it xfail(strict=True)")
            finally:
                for finish in reversed(finishes):
                    finish()
            ran += not skipped_here
            if teardown is not None:
                with_arg(teardown, func)
            if cls is None:
                call_hook(ns, "teardown_function", fn)
            if own_skip is not None:
                own_skip.end()
    undo(*per_class)
    if class_done:
        call_hook(class_done[-1], "teardown_class", None)
    undo(*wide)
    call_hook(ns, "teardown_module", module)
    if not ran and not beside_unittest:
        raise RuntimeError("no test ran")


def _ptsfast_unittest(ns, allowed_skips, expecting, report, own_skip=None):
    """Runs the tests' ``TestCase`` classes; a test may be skipped, or fail as expected, only as the tests' code
    marks it (``allowed_skips``, ``expecting``: ids, read before the solution could mark one,
    :func:`_ptsfast_sealed`), or at run time by their own code (``own_skip``: :func:`_ptsfast_own_skip`); the report
    goes to ``report``, past the bound on what the solution printed."""
    import io, sys, time, types, unittest, warnings
    # unittest runs setUpModule / tearDownModule of the module its tests' classes name, found in sys.modules
    module = sys.modules.get("test_solution") or types.ModuleType("test_solution")
    sys.modules["test_solution"] = module
    for hook in ("setUpModule", "tearDownModule"):
        if callable(ns.get(hook)):
            setattr(module, hook, ns[hook])
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for v in list(ns.values()):
        if isinstance(v, type) and issubclass(v, unittest.TestCase) and v.__module__ == "test_solution":
            suite.addTests(loader.loadTestsFromTestCase(v))
    expected = suite.countTestCases()
    if not expected:
        raise RuntimeError("no TestCase test was found")
    stream = io.StringIO()
    # TextTestRunner.run without its registerResult: a result registered with unittest.signals is the solution's to
    # find there and to empty of its failures while the tests run (a list whose append drops them, a gc callback)
    runner = unittest.TextTestRunner(stream=stream, verbosity=2)
    result = runner._makeResult()
    own, add_skip = [], result.addSkip  # the tests whose own code skipped them (read as the skip is handled)

    start_test = result.startTest

    def starting(test):
        if own_skip is not None:
            own_skip.begin()
        start_test(test)
    result.startTest, stop_test = starting, result.stopTest

    def stopping(test):
        stop_test(test)
        if own_skip is not None:
            own_skip.end()
    result.stopTest = stopping

    def skipping(test, reason):
        e = sys.exc_info()[1]
        if e is not None and own_skip is not None and isinstance(test, unittest.TestCase) and own_skip(e):
            own.append(test)
        add_skip(test, reason)
    result.addSkip = skipping
    with warnings.catch_warnings():
        if runner.warnings:
            warnings.simplefilter(runner.warnings)
            if runner.warnings in ("default", "always"):
                warnings.filterwarnings("module", category=DeprecationWarning, message=r"Please use assert\w+ instead.")
        start = time.perf_counter()
        result.startTestRun()
        try:
            suite(result)
        finally:
            result.stopTestRun()
        taken = time.perf_counter() - start
    result.printErrors()
    n = result.testsRun
    stream.write("%s\nRan %d test%s in %.3fs\n\n%s\n" % (result.separator2, n, "s" * (n != 1), taken,
                                                      "OK" if result.wasSuccessful() else "FAILED"))
    print(stream.getvalue()[-3000:], file=report)  # the report, past what the solution printed
    def marked(test, ids):  # as the tests mark it: its method (in the class that defines it) or its class
        cls, name = type(test), getattr(test, "_testMethodName", "")
        return "test_solution." + cls.__qualname__ in ids or any(
            "test_solution." + c.__qualname__ + "." + name in ids for c in cls.__mro__ if name in vars(c))

    runtime_skips = [str(test) for test, reason in result.skipped if not marked(test, allowed_skips) and not any(
        t is test for t in own)]
    unmarked = [test for test, _ in result.expectedFailures if not marked(test, expecting)]
    if result.failures or result.errors or result.unexpectedSuccesses or runtime_skips or unmarked:
        raise AssertionError("unittest: %d failures, %d errors, %d skipped at run time" %
                             (len(result.failures) + len(unmarked), len(result.errors), len(runtime_skips)))
    ran = result.testsRun  # Python 3.12 and later leave the skipped tests out of testsRun
    if ran != expected and ran + len(result.skipped) != expected:
        raise AssertionError("unittest ran %d of %d tests" % (ran, expected))
    if len(result.skipped) >= expected:  # as with pytest: a verdict needs a test that ran
        raise RuntimeError("no test ran (every test was skipped)")


def _ptsfast_own_processes():
    """The solution's processes run as this uid: keep them out of this process's memory (the expected values and
    the verdict live here), and make this process the reaper of what they leave behind (:func:`_ptsfast_reap`)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans (daemons too) become this process's children
    except Exception:
        pass


def _ptsfast_reap(keep=()):
    """Kills every process below this one but ``keep`` (the fork servers, which have no run going when this is
    called): as their subreaper this process is an ancestor of each process the solution's programs left, even of
    a daemon that left its session or one cloned as a server's child (``CLONE_PARENT``), so none outlives its case
    to touch the next case's files or the checker's. Where the sandbox has no ``/proc`` (a host that refused the
    mount: Docker's masked paths) there is no tree to walk: in the sandbox's own pid namespace (this process its pid
    2, under its init) every process but this one and init is killed instead, which only a call without ``keep`` may
    do (:func:`_ptsfast_stdio` starts no server then, where a special judge needs this)."""
    import os, signal
    me = os.getpid()
    if not os.path.exists("/proc/self/stat"):
        if not keep and me == 2 and os.getppid() == 1:
            try:
                os.kill(-1, signal.SIGKILL)  # atomic: a fork under way is restarted, and its child killed too
            except ProcessLookupError:  # nothing left
                return
            while True:  # as their subreaper, every process left is reaped here once it is gone
                try:
                    os.waitpid(-1, 0)
                except ChildProcessError:
                    return
                except InterruptedError:
                    continue
        return  # an unisolated run without /proc (macOS): nothing to walk, as --unsafe-code-oracle says
    for _ in range(64):
        children = {}
        try:
            names = os.listdir("/proc")
        except OSError:
            raise RuntimeError("cannot list /proc to kill what the program left running") from None
        for name in names:
            try:
                with open("/proc/" + name + "/stat") as f:
                    state, parent = f.read().rsplit(")", 1)[1].split()[:2]
                # a zombie is dead already (its parent waits for it), unless only its main thread ended (a raw exit
                # syscall): its other threads run on, out of sight but for /proc/<pid>/task
                if state not in "ZX" or len(os.listdir("/proc/" + name + "/task")) > 1:
                    children.setdefault(int(parent), []).append(int(name))
            except (OSError, ValueError, IndexError):
                continue
        below, todo = set(), [me]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in below:
                    below.add(child)
                    todo.append(child)
        kids = below - set(keep)
        if not kids:
            return
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in kids:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
    raise RuntimeError("processes the program left kept forking past 64 rounds of kills")  # never left to race


def _ptsfast_boot(sites, body=None, digits=True):
    """Python for a fresh interpreter on the solution's side (started ``-I -S``): the site folders added and
    ``exit()`` / ``quit()`` given back as a plain interpreter has them (-S leaves them out), then ``body``; by default
    the file ``sys.argv[1]`` run as ``__main__`` with the rest of ``sys.argv`` as its own. ``digits``: Python's limit
    on converting ints of over 4300 digits to and from text (3.11) is lifted, as the judges the datasets' programs
    were written for have none (``int(input())`` of a 5000-digit number, a printed ``2**20000``; open-r1's lifts it
    for the program, not for its checker, which a wrong program's output would then keep busy for minutes)."""
    if body is None:  # the module of `python file.py`, kept as __main__ (not runpy's, which is gone when it returns):
        # finalization finalizes what its globals hold, as it does for a script (an unclosed open(1, 'w') flushed)
        body = ("import sys\nsys.argv = sys.argv[1:]\nwith open(sys.argv[0], 'rb') as f:\n"
                "    code = compile(f.read(), sys.argv[0], 'exec')\nmain = type(sys)('__main__')\n"
                "main.__file__ = sys.argv[0]\nsys.modules['__main__'] = main\ndel f\nexec(code, vars(main))\n")
    return "import site, sys\nfor d in %r:\n    site.addsitedir(d)\nsite.setquit()\n" % (sites,) + \
        "if hasattr(sys, 'set_int_max_str_digits'):\n    sys.set_int_max_str_digits(0)\n" * digits + body


def _ptsfast_piped(source, args, quiet=False, hash_seed=None):
    """A fresh interpreter running ``source`` with two pipes, ``sys.argv[1]`` the one it reads and ``sys.argv[2]``
    the one it answers on (then ``args``): (process, this side's writer, this side's reader), both binary.
    ``quiet``: its stdout and stderr go nowhere (what it prints is no part of its answers). ``hash_seed``: its
    ``PYTHONHASHSEED`` (which ``-I`` ignores: then ``-I``'s other parts are given one by one)."""
    import os, subprocess, sys
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    silent = subprocess.DEVNULL if quiet else None
    flags, env = ["-I", "-S"], None
    if hash_seed is not None:
        flags = ["-s", "-S"] + (["-P"] if sys.version_info >= (3, 11) else [])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONHASHSEED"] = str(hash_seed)
    try:
        proc = subprocess.Popen([sys.executable, *flags, "-c", source, str(in_r), str(out_w), *args], env=env,
                                stdin=subprocess.DEVNULL, stdout=silent, stderr=silent, pass_fds=(in_r, out_w),
                                close_fds=True)
    finally:
        os.close(in_r)
        os.close(out_w)
    return proc, os.fdopen(in_w, "wb"), os.fdopen(out_r, "rb")


def _ptsfast_stop(proc, *files):
    """Closes this side's pipes and kills the process (its leftovers are :func:`_ptsfast_reap`'s)."""
    for f in files:
        try:
            f.close()
        except OSError:
            pass
    proc.kill()
    proc.wait()


def _ptsfast_write_program(spec, code):
    """The solution (after the row's prompt) as a file of its own, and the site folders its interpreter needs."""
    import os, sys
    path = os.path.abspath("ptsfast_program.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(_ptsfast_source(spec, code))
    return path, [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]


_PTSFAST_CALLER = """
import json, linecache, os, sys, traceback, types
cases = os.fdopen(int(sys.argv[1]), "r", encoding="utf-8")
replies = os.fdopen(int(sys.argv[2]), "w", encoding="utf-8")
path, name, flags = sys.argv[3], sys.argv[4], sys.argv[5].split(",")
int_keys, typed, not_none, record = ("int_keys" in flags, "typed" in flags, "not_none" in flags,
                                     "record" in flags)


def untagged(v):  # EvalPlus' arguments (ptsfast.problems.evalplus.encoded): tuples, sets, complex, dicts in order
    if isinstance(v, list):
        return [untagged(x) for x in v]
    if isinstance(v, dict):
        (kind, x), = v.items()
        if kind == "tuple":
            return tuple(untagged(y) for y in x)
        if kind == "set":
            return set(untagged(y) for y in x)
        if kind == "complex":
            return complex(*x)
        return {untagged(k): untagged(y) for k, y in x}
    return v

def loads(line, _loads=json.loads):  # the arguments; APPS' dict argument gets its int keys back (TestProgram.int_keys)
    args = _loads(line)
    if typed:
        return untagged(args)
    if int_keys and args and isinstance(args[0], dict):
        try:
            return [{int(k): v for k, v in args[0].items()}]
        except ValueError:
            pass
    return args

def scalar(o):  # numpy's scalars pass as the numbers they hold, as APPS' and LiveCodeBench's == compares them
    if type(o).__module__ == "numpy" and getattr(o, "shape", None) == () and callable(getattr(o, "item", None)):
        return o.item()
    exact = [getattr(sys.modules.get(m), n, None) for m, n in (("fractions", "Fraction"), ("decimal", "Decimal"))]
    if type(o) in exact:
        try:  # == a JSON number only where it is that number exactly (Fraction(1, 2) == 0.5; 1/3 equals no float)
            if o == int(o):
                return int(o)
        except (OverflowError, ValueError):  # infinities, NaN
            pass
        if float(o) == o:
            return float(o)
    raise TypeError("%s() returned a %s, which is no JSON value" % (name, type(o).__name__))

def tagged(v):  # EvalPlus' == tells a tuple from a list and a set from a list: JSON alone does not
    if isinstance(v, list):
        return [tagged(x) for x in v]
    if isinstance(v, tuple):
        return {"tuple": [tagged(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"set": sorted((tagged(x) for x in v), key=dumps)}
    if isinstance(v, dict):
        return {"dict": sorted(([tagged(k), tagged(x)] for k, x in v.items()), key=lambda kv: dumps(kv[0]))}
    return v

def dumps(value, _dumps=json.dumps):
    return _dumps(value, default=scalar)

def reply(text):
    replies.write(text + "\\n")
    replies.flush()

try:
    src = open(path, encoding="utf-8").read()
    sys.path.append(os.path.join(os.path.dirname(path), ".ptsfast-solution"))
    sys.argv[:] = ["solution.py"]
    solution = types.ModuleType("solution")
    solution.__file__ = "solution.py"
    sys.modules["solution"] = solution
    linecache.cache["solution.py"] = (len(src), None, src.splitlines(True), "solution.py")
    exec(compile(src, "solution.py", "exec"), vars(solution))
    ns = vars(solution)
    if isinstance(ns.get("Solution"), type) and hasattr(ns["Solution"], name):
        fn = getattr(ns["Solution"](), name)  # LeetCode-style starter code
    else:
        fn = ns.get(name)
    if not callable(fn):
        raise NameError("the solution does not define " + name + "()")
except BaseException:
    reply(dumps({"error": traceback.format_exc()[-3000:], "loading": True}))
    os._exit(1)
for line in cases:
    try:
        value = fn(*loads(line))
        if not_none and (record or not isinstance(value, bool)):  # EvalPlus: a reference's value is whether it is
            value = value is not None  # None; a solution's bool is itself, any other value whether it is None
        kind = type(value)  # EvalPlus: a value within the tolerance is of the expected type (numpy's float64 no float)
        odd = typed and kind not in (int, float, str, bool, type(None), list, tuple, dict, set, frozenset)
        reply('{"ok": ' + dumps(tagged(value) if typed else value)  # as APPS compares: tuples are lists
              + (', "type": ' + dumps(kind.__module__ + "." + kind.__qualname__) if odd else "") + "}")
    except BaseException:
        reply(dumps({"error": traceback.format_exc()[-3000:]}))
"""


def _ptsfast_call_process(spec, code):
    """Function-call tests (APPS, LiveCodeBench, ``verification_info``): the solution runs in a process of its own,
    gets each case's arguments and writes back, as JSON, what it returned; the expected values, the comparison
    and the verdict stay in this process, out of its reach (as for stdin programs), so neither a forged value nor
    a look at its caller's frames can pass. ``spec["record"]`` (a reference solution run for the expected values,
    :meth:`TestProgram.program`): no comparison; every reply is printed, as one JSON list, at the end."""
    import json, os
    path, sites = _ptsfast_write_program(spec, code)
    # a process the solution starts by spawn or forkserver imports its functions by their module's name: a file of
    # that name beside the program, which the caller puts on the path its children get
    os.makedirs(os.path.join(os.path.dirname(path), ".ptsfast-solution"), exist_ok=True)
    with open(os.path.join(os.path.dirname(path), ".ptsfast-solution", "solution.py"), "w", encoding="utf-8") as f:
        f.write(_ptsfast_source(spec, code))
    name = spec["fn_name"]
    typed = spec.get("atol") is not None  # EvalPlus' comparison: a tuple is no list
    flags = ",".join(f for f, on in (("int_keys", spec.get("int_keys")), ("typed", typed),
                                     ("record", spec.get("record")), ("not_none", spec.get("special") == "not_none"))
                     if on)
    # what the solution prints is no part of a verdict (APPS' judge ignores it): debug prints cannot fill the
    # sandbox's output limit; its errors come back as replies
    # EvalPlus judges a solution in a process forked from the one that ran its canonical solution: one hash seed, so
    # a value built from a set of strings comes in the same order on both sides; so here, in a fixed seed
    p, send, recv = _ptsfast_piped(_ptsfast_boot(sites, _PTSFAST_CALLER), [path, name, flags], quiet=True,
                                   hash_seed=0 if typed else None)
    recorded = []
    try:
        for i, (args, expected) in enumerate(spec["cases"]):
            try:
                send.write(json.dumps(args).encode() + b"\n")
                send.flush()
                line = recv.readline().decode("utf-8", "replace")
            except BrokenPipeError:
                line = ""
            if not line:
                raise AssertionError("case %d: the solution's process ended (status %s) before %s() returned" %
                                     (i + 1, p.wait(), name))
            try:
                reply = json.loads(line)
                if not isinstance(reply, dict) or not ("ok" in reply or isinstance(reply.get("error"), str)):
                    raise ValueError(line[:200])
            except ValueError:
                raise AssertionError("case %d: the solution's process wrote %r, not a result" % (i + 1, line[:200]))
            if spec.get("record"):
                recorded.append(reply)
                if reply.get("loading"):
                    break
                continue
            if "error" in reply:
                if reply.get("loading"):
                    raise AssertionError("the solution failed before its first call:\n%s" % reply["error"])
                raise AssertionError("case %d: %s(*%r) raised:\n%s" % (i + 1, name, args, reply["error"]))
            got = reply["ok"]
            if typed:
                right = _ptsfast_evalplus_special(got, expected, spec.get("special"), args, spec["atol"])
                if right is None:
                    right = got == expected or ("type" not in reply and
                                                _ptsfast_evalplus_same(got, expected, spec["atol"]))
            else:
                right = got == expected or (not spec["exact"] and isinstance(expected, list) and len(expected) == 1
                                            and got == expected[0])
            if not right:
                raise AssertionError("case %d: %s(*%r) returned %r, expected %r" % (i + 1, name, args, got, expected))
    finally:
        _ptsfast_stop(p, send, recv)
        _ptsfast_reap()
    if spec.get("record"):
        print(json.dumps(recorded))


def _ptsfast_evalplus_special(got, expected, special, args, atol):
    """EvalPlus' special oracles (``TestProgram.special``): True / False where the task's own rule decides, None
    where the usual comparison goes on (a value not equal to the expected one, as its judge does)."""
    import json, math
    if special == "root":  # HumanEval's find_zero: any zero of the polynomial whose coefficients are the argument
        try:
            return abs(sum(c * math.pow(got, i) for i, c in enumerate(args[0]))) <= atol
        except (TypeError, ValueError, OverflowError):
            return False
    if special == "any":
        return True
    if special == "set":
        seqs = [v if isinstance(v, list) else v.get("tuple", v.get("set")) if isinstance(v, dict) else None
                for v in (got, expected)]  # set(out) == set(exp): a list, tuple or set of the same elements
        if any(not isinstance(v, list) for v in seqs):
            return None
        same = [set(json.dumps(x, sort_keys=True) for x in v) for v in seqs]
        return True if same[0] == same[1] else None
    if got == expected:
        return True
    if special == "or_zero":
        return True if got == 0 else None
    if special == "surface_area" and isinstance(got, (int, float)):  # a pyramid's surface, the height upright
        base, height = args
        want = round(base * base + 2 * base * math.sqrt((base / 2) ** 2 + height * height))
        return True if abs(got - want) <= atol else None
    if special == "digit_distance":  # the numbers padded with zeros to one length
        a, b = (str(x) for x in args)
        a, b = a.zfill(max(len(a), len(b))), b.zfill(max(len(a), len(b)))
        return True if got == sum(abs(int(x) - int(y)) for x, y in zip(a, b)) else None
    return None


def _ptsfast_evalplus_same(got, expected, atol):
    """EvalPlus' comparison of a returned value (values tagged by the caller: a tuple, set or dict is an object
    naming its kind): equal, else, where the row gives a tolerance (or the expected value is a float or a non-empty
    sequence of floats, then 1e-6), the same kind and length and every number within ``atol + 1e-7 * |expected|``
    (``numpy.allclose``)."""
    if got == expected:
        return True

    def items(v):  # a list's or a tuple's elements, else None
        return v if isinstance(v, list) else v["tuple"] if isinstance(v, dict) and list(v) == ["tuple"] else None

    seq = items(expected)
    floats = isinstance(expected, float) or (bool(seq) and all(isinstance(x, float) for x in seq))
    atol = 1e-6 if atol == 0 and floats else atol
    if atol == 0 or type(got) is not type(expected) or (isinstance(got, dict) and list(got) != list(expected)):
        return False

    def close(a, b):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if a == b:
                return True
            inf = float("inf")
            return abs(a) != inf and abs(b) != inf and abs(a - b) <= atol + 1e-7 * abs(b)  # nan: never close
        xs, ys = items(a), items(b)
        return xs is not None and ys is not None and len(xs) == len(ys) and all(map(close, xs, ys))

    return close(got, expected)


def _ptsfast_same_output(got, expected, exact=False, any_case=False):
    """Whether a program printed the expected output: the same whitespace-separated tokens, decimals within 1e-6
    (APPS' and CodeContests' rows); ``exact``: as LiveCodeBench's ``grade_stdio``, line by line, each line the same
    text or the same numbers exactly (``1.50`` for ``1.5``). ``any_case``: the words yes and no in any case, as
    Codeforces' yesno checkers read them where the statement allows it (Yes for YES); other words keep theirs."""
    if any_case:
        import re
        got, expected = (re.sub(r"(?<!\S)(?i:yes|no)(?!\S)", lambda m: m.group().lower(), t) for t in (got, expected))
    if exact:
        from decimal import Decimal, InvalidOperation
        lines, want = got.strip().split("\n"), expected.strip().split("\n")
        if len(lines) != len(want):
            return False
        for x, y in zip(lines, want):
            x, y = x.strip(), y.strip()
            if x == y:
                continue
            if not (x.isascii() and "_" not in x):  # Decimal() reads "５" and "5_0" as numbers
                return False
            try:
                if [Decimal(t) for t in x.split()] != [Decimal(t) for t in y.split()]:
                    return False
            except InvalidOperation:
                return False
        return True
    a, b = got.split(), expected.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        if not (x.isascii() and "_" not in x):  # Decimal() and float() read "５" and "5_0" as numbers
            return False
        if y.lstrip("+-").isdigit():  # an integer answer is that number exactly (3.0 for 3; never 123456789.5, nor
            # 10**18 - 1 for 10**18, which a float cannot tell apart)
            if y.lstrip("+-")[:1] == "0" and len(y.lstrip("+-")) > 1:  # "0011": a string of digits (a binary
                return False  # string, a code), not a number: "11" drops what the answer is made of
            from decimal import Decimal, InvalidOperation
            try:
                if Decimal(x) != int(y):
                    return False
            except (InvalidOperation, ValueError):
                return False
            continue
        if not any(c in x + y for c in ".eE"):  # "1e18" expected: compared as a number too
            return False
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            return False
        if not abs(fx - fy) <= 1e-6 * max(1.0, abs(fy)):  # "nan" is within no tolerance of anything
            return False
    return True


def _ptsfast_stdio(spec, code):
    """Each case runs the program as its own process, the input on stdin, and compares what it printed (or has the
    row's special judge compare it). Cases fork a warm interpreter (:class:`_PtsfastForkServer`), the special judge
    another one started before any of the program ran; a single case starts fresh ones. Either way stdin is a file,
    as judges give it (fast-input idioms read ``os.fstat(0).st_size`` bytes). Every process the program left is
    killed before the judge's files are written and before the next case."""
    import json, os, subprocess, sys, tempfile
    path, sites = _ptsfast_write_program(spec, code)
    boot = _ptsfast_boot(sites)
    env = dict(os.environ)
    # one case: a spawn is less; and no servers for a special judge where no /proc shows what a run left behind (the
    # leftovers die by kill(-1) then, which would take the servers too)
    forked = len(spec["cases"]) > 1 and (os.path.exists("/proc/self/stat") or not spec.get("checker"))
    judge = _PtsfastForkServer.start("checker.py", sites, spec["checker"]) if forked and spec.get("checker") else None
    server = _PtsfastForkServer.start(path, sites) if forked and (judge or not spec.get("checker")) else None
    try:
        for i, (stdin, expected) in enumerate(spec["cases"]):
            if spec.get("files"):  # Codeforces' file input mode (what the last program left there, links too, goes)
                for name in ("input.txt", "output.txt"):
                    if os.path.lexists(name):
                        os.remove(name)
                with open("input.txt", "w", encoding="utf-8") as f:
                    f.write(stdin)
            if server is not None:
                status, out, err = server.run(stdin.encode(), i)
            else:
                with tempfile.TemporaryFile(dir=".") as given:
                    given.write(stdin.encode())
                    given.seek(0)
                    p = subprocess.run([sys.executable, "-I", "-S", "-c", boot, path], stdin=given,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, close_fds=True)
                status, out, err = p.returncode, p.stdout, p.stderr
                _ptsfast_reap(keep=_PtsfastForkServer.alive)  # what it left cannot touch the next case or the checker
            if status != 0:
                import signal
                how = "was killed by %s" % signal.Signals(-status).name if -status in set(signal.Signals) else \
                    "exited with status %d" % status
                raise AssertionError("case %d: the program %s:\n%s" %
                                     (i + 1, how, err.decode("utf-8", "replace")[-1500:]))
            got = out.decode("utf-8", "replace")
            if spec.get("files") and os.path.isfile("output.txt"):
                with open("output.txt", encoding="utf-8", errors="replace") as f:
                    got = f.read()
            head, said = "wrong output", ""
            if spec.get("checker"):
                files = json.dumps([stdin, expected, got]).encode()
                j_status, j_out, j_err = judge.run(files, i) if judge is not None else \
                    _ptsfast_special_judge(spec["checker"], stdin, expected, got, sites)
                right = _ptsfast_accepts(j_status, j_out)
                # what the row's checker said, and why it failed where it did: a checker that fails on every output
                # shows so, rather than as programs that are all wrong
                if j_status:
                    head = "not accepted: the special judge (generated_checker) exited with status %d" % j_status
                said = "\n--- the special judge printed\n%s%s" % (
                    j_out.decode("utf-8", "replace")[-300:] if j_out.strip() else "(nothing)",
                    "\n--- its errors\n" + j_err.decode("utf-8", "replace")[-1000:] if j_err.strip() else "")
            else:
                right = _ptsfast_same_output(got, expected, spec["exact"], spec.get("any_case"))
            if not right:
                raise AssertionError("case %d: %s\n--- input\n%s\n--- expected\n%s\n--- got\n%s%s" %
                                     (i + 1, head, stdin[:500], expected[:500], got[:500], said))
    finally:
        for s in (server, judge):
            if s is not None:
                s.close()
        _ptsfast_reap()


_PTSFAST_FORK_SERVER = """
import ast, gc, json, os, shutil, sys, tempfile
requests, replies = os.fdopen(int(sys.argv[1]), "rb"), os.fdopen(int(sys.argv[2]), "wb")
path, checker = sys.argv[3], len(sys.argv) > 4
import ctypes
# PR_SET_DUMPABLE 0: a run cannot ptrace this server (its parent), which outlives the reaps and would answer later cases
# as the run chose; the special judge's runs stand beside the program's processes, which cannot reach them either
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
if checker:
    source = requests.read(int(requests.readline())).decode("utf-8")
else:
    with open(path, encoding="utf-8") as f:
        source = f.read()
try:  # the standard modules and numpy the program imports: loaded once here, not once a case (libraries' code only)
    tree = ast.parse(source)
except Exception:
    tree = ast.Module([], [])
quiet = set(sys.stdlib_module_names) - {"this", "antigravity", "__hello__", "__phello__", "idlelib", "turtle",
                                        "turtledemo", "tkinter", "webbrowser", "pydoc"}
for node in ast.walk(tree):  # at its top, in a try (APPS' numpy), or in a function (def main(): import numpy)
    names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] if (
        isinstance(node, ast.ImportFrom) and node.level == 0 and node.module) else []
    for name in names:
        # a package's __main__ (unittest's, venv's) runs its command at import: only the program's run imports it
        if (name.split(".")[0] in quiet or name.split(".")[0] == "numpy") and "__main__" not in name.split("."):
            try:
                __import__(name)
            except BaseException:
                pass
del tree


def scratch(n=[0]):
    n[0] += 1
    name = "ptsfast_run_%d_%d" % (os.getpid(), n[0])
    fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.unlink(name)
    return fd


gc.freeze()  # a run's collection at its end scans what the run made, not this server's heap
replies.write(b"ready\\n")
replies.flush()
while True:
    head = requests.readline()
    if not head:
        break
    try:  # what the judge killed of the last run's leftovers, made this server's children (CLONE_PARENT)
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    data = requests.read(int(head))
    fds = [scratch() for _ in range(3)]
    if checker:  # checker.py input.txt correct_output.txt solution_output.txt, in a folder of their own
        where = tempfile.mkdtemp(prefix="ptsfast_checker_")
        for name, text in zip(("checker.py", "input.txt", "correct_output.txt", "solution_output.txt"),
                              [source] + json.loads(data)):
            with open(os.path.join(where, name), "w", encoding="utf-8") as f:
                f.write(text)
        data, argv = b"", [path, "input.txt", "correct_output.txt", "solution_output.txt"]
    else:
        where, argv = None, [path]
    view = memoryview(data)
    while view:
        view = view[os.write(fds[0], view):]
    os.lseek(fds[0], 0, 0)
    pid = os.fork()
    if pid == 0:  # the run: a fresh __main__, stdin / stdout / stderr on the files, and the interpreter's exit
        for k, fd in enumerate(fds):
            os.dup2(fd, k)
            os.close(fd)
        requests.close()
        replies.close()
        if where:
            os.chdir(where)
        sys.argv[:] = argv
        main = type(sys)("__main__")  # as `python file.py` has it
        main.__file__ = path
        sys.modules["__main__"] = main
        try:
            with open(path, "rb") as f:
                program = compile(f.read(), path, "exec")
            exec(program, vars(main))
            code = 0
        except SystemExit as e:
            code = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
            if not isinstance(e.code, (int, type(None))):
                print(e.code, file=sys.stderr)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        try:  # as the interpreter ends: wait for the program's threads, run its atexit functions, flush (a closed or
            # None sys.stdout is left alone), clear the program's module (what it held is finalized), flush again
            if "threading" in sys.modules:
                sys.modules["threading"]._shutdown()
            import atexit
            atexit._run_exitfuncs()
            for last in (False, True):
                if last:  # its globals set to None as the interpreter clears a module: one underscore first;
                    # the original streams put back first, as it does (a wrapper of the program's, PyRival's
                    # fast IO, flushed once its module's os is None raised and failed a right run)
                    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
                    g, main, program = vars(main), None, None
                    for k in [k for k in g if k[:1] == "_" and k[:2] != "__"] + [k for k in g if k != "__builtins__"]:
                        g[k] = None
                    g = None
                    gc.collect()
                for f in (sys.stdout, sys.stderr):
                    if f is not None and not getattr(f, "closed", False):
                        f.flush()
        except BaseException:
            code = code or 120
        os._exit(code & 0xFF)  # without tearing the interpreter down: ~10 ms a run
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])  # what it left is the judge's to kill
    out = os.pread(fds[1], os.fstat(fds[1]).st_size, 0)
    size = os.fstat(fds[2]).st_size
    err = os.pread(fds[2], min(size, 4096), max(0, size - 4096))
    for fd in fds:
        os.close(fd)
    if where:
        shutil.rmtree(where, ignore_errors=True)
    replies.write(b"%d %d %d\\n" % (status, len(out), len(err)) + out + err)
    replies.flush()
"""


class _PtsfastForkServer:
    """Runs of one program, each a fork of one warm interpreter (its site folders added, the standard modules the
    program imports loaded): a fresh interpreter costs ~30 ms a run, a fork ~2 ms. A server of the solution only ever
    gets inputs and sends back what each run printed: no expected output enters it, so it stands on the program's
    side of the comparison like the runs. A server of the row's special judge (``checker``: its source) is started
    before any of the program runs and is not dumpable, so the program's processes cannot reach into it; each of its
    runs gets a folder of its own written after the program's processes are gone. What a run leaves running is
    orphaned to the judge, their subreaper, which kills it before the next run."""

    alive: set = set()
    """The servers' pids: spared when the judge kills what a run left."""

    def __init__(self, proc, send, recv):
        self.proc, self.send, self.recv = proc, send, recv
        _PtsfastForkServer.alive.add(proc.pid)

    @classmethod
    def start(cls, path, sites, checker=None):
        """A ready server, or None (then each case starts its own interpreter)."""
        server = cls(*_ptsfast_piped(_ptsfast_boot(sites, _PTSFAST_FORK_SERVER, digits=not checker),
                                     [path] + ["checker"] * bool(checker)))
        try:
            if checker:
                source = checker.encode("utf-8")
                server.send.write(b"%d\n" % len(source) + source)
                server.send.flush()
            ready = server.recv.readline() == b"ready\n"
        except OSError:
            ready = False
        if not ready:  # before any of the program ran: not the program's doing
            server.close()
            return None
        return server

    def run(self, data, case):
        """(exit status, stdout, stderr's tail) of one run with ``data`` on stdin (a checker's: its three files)."""
        try:
            self.send.write(b"%d\n" % len(data) + data)
            self.send.flush()
            head = self.recv.readline()
            status, n_out, n_err = map(int, head.split())
            out, err = self.recv.read(n_out), self.recv.read(n_err)
        except (OSError, ValueError):
            raise AssertionError("case %d: the process running the program ended (status %s) before it answered" %
                                 (case + 1, self.proc.poll())) from None
        _ptsfast_reap(keep=_PtsfastForkServer.alive)
        return status, out, err

    def close(self):
        _PtsfastForkServer.alive.discard(self.proc.pid)
        _ptsfast_stop(self.proc, self.send, self.recv)


def _ptsfast_accepts(status, out):
    """open-r1/codeforces' checker verdict: exit 0 with ``1`` as the last word of its output."""
    return status == 0 and out.decode("utf-8", "replace").split()[-1:] == ["1"]


def _ptsfast_special_judge(checker, stdin, expected, got, sites):
    """open-r1/codeforces' checker contract: ``checker.py input.txt correct_output.txt solution_output.txt`` in a
    folder of their own, written after every process of the program is gone; it accepts by exiting 0 with ``1`` as
    the last word of its output. Returns its (exit status, stdout, stderr's tail), as a fork server's run."""
    import os, shutil, subprocess, sys, tempfile
    where = tempfile.mkdtemp(prefix="ptsfast_checker_")
    try:
        for name, text in (("checker.py", checker), ("input.txt", stdin), ("correct_output.txt", expected),
                           ("solution_output.txt", got)):
            with open(os.path.join(where, name), "w", encoding="utf-8") as f:
                f.write(text)
        p = subprocess.run([sys.executable, "-I", "-S", "-c", _ptsfast_boot(sites, digits=False), "checker.py",
                            "input.txt", "correct_output.txt", "solution_output.txt"], cwd=where,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True)
        return p.returncode, p.stdout, p.stderr[-4096:]
    finally:
        shutil.rmtree(where, ignore_errors=True)


_ptsfast_judge(_SPEC, _CODE)

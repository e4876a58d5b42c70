"""python manage.py evaluate_eligibility FILE (or - for standard input), per eligibility-cli.md.

Prints a JSON array with one result per case, in input order. A case that cannot be evaluated
gets {"id", "error"}; the others are still evaluated and the command then exits with status 1.

JSON is read and written with orjson (pinned in pyproject.toml): on 100,000 cases it is several
times faster than the standard library's json, which otherwise dominates the command's time.
What orjson refuses or reads differently from the standard library (NaN, integers beyond 64 bits,
which orjson turns into floats) goes through the standard library, so the input is read and the
output written exactly as with ``json`` alone.

The results are turned into JSON ``CHUNK`` cases at a time, and each chunk's cases and results are
let go as soon as it is written into bytes: the batch never holds every result object at once
(on 100,000 cases that is about 400 MB less to allocate and page in).

A large input (``PARALLEL_MIN_BYTES`` of JSON or more, about 12,000 cases of 24 months) is split
over ``--jobs`` processes (default: the CPUs this process may use). The parent cuts the text of the
top-level array into ``jobs`` byte ranges between two cases (see :func:`_cut`); each forked child parses
only its own range (wrapped in ``[`` ``]``), evaluates it and returns its results already as JSON
bytes, which are joined in input order: the output is byte for byte the same as from one process.
A cut that is not between two top-level elements (inside a string, or inside a nested object)
leaves a range that is not valid JSON on its own; then, and for an empty range, the command falls
back to the one-process way, as for input the fast path cannot take (not an array, invalid JSON,
NaN, numbers beyond 64 bits). The children run only the pure-Python rule code and orjson (no
database, no logging), so the fork of a process whose database pool has threads is safe here;
``--jobs=1`` keeps everything in one process.

The command runs no system checks (``requires_system_checks = []``): they load every URL
configuration and the API schema generator, which took about 0.4 s of a 5 s batch, and nothing
here depends on them (``manage.py check`` and the test suite run them).
"""

import gc
import json
import multiprocessing
import os
import re
import sys

import orjson
from django.core.management.base import BaseCommand, CommandError

from eligibility.rules import evaluate_many
from eligibility.selectors import current_parameters

#: From this much JSON on, the batch is split over several processes (when --jobs allows).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024

#: JSON text parsed at a time: an input of twice this or more is cut into ranges of about this
#: size, read one after the other, so the whole input is never held as Python objects at once.
RANGE_BYTES = 8 * 1024 * 1024

#: Cases evaluated and written into JSON bytes at a time.
CHUNK = 4000


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _evaluate_to_json(cases: list, parameters, lang: str) -> tuple[list[bytes], int]:
    """Evaluates ``cases`` ``CHUNK`` at a time; returns each chunk's results as the JSON array's
    inside (orjson bytes without the brackets; empty chunks left out) and the number of errors.
    Each evaluated chunk's input is dropped from ``cases``. Raises ``TypeError`` for a result
    orjson cannot write."""
    parts = []
    errors = 0
    dumps = orjson.dumps
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        results, chunk_errors = evaluate_many(chunk, parameters, lang=lang)
        errors += chunk_errors
        data = dumps(results)
        del results
        cases[start : start + len(chunk)] = [None] * len(chunk)  # let the chunk's input go
        del chunk
        if len(data) > 2:
            parts.append(data[1:-1])
    return parts, errors


def _evaluate_ranges(text: bytes, ranges, parameters, lang: str) -> tuple[list[bytes], int, int] | None:
    """Parses and evaluates each byte range of ``text`` (see :func:`_cut`) in turn: (results as JSON
    array insides, errors, number of cases), or None when a range is not a non-empty JSON array on
    its own or a result is something orjson cannot write (then the whole input goes the
    one-process way)."""
    parts = []
    errors = count = 0
    for start, stop in ranges:
        try:
            cases = orjson.loads(b"[" + text[start:stop] + b"]")
        except orjson.JSONDecodeError:
            return None
        if not cases:
            return None
        count += len(cases)
        try:
            range_parts, range_errors = _evaluate_to_json(cases, parameters, lang)
        except TypeError:
            return None
        parts += range_parts
        errors += range_errors
    return parts, errors, count


# Set in the parent just before the worker processes are forked; the children read their byte
# ranges from it (copy-on-write) instead of receiving them through a pipe.
_BATCH: dict = {}


def _evaluate_group(index: int) -> tuple[list[bytes], int, int] | None:
    """The forked child's work: group ``index`` of the parent's ranges (see :func:`_evaluate_ranges`)."""
    gc.disable()
    return _evaluate_ranges(_BATCH["text"], _BATCH["groups"][index], _BATCH["parameters"], _BATCH["lang"])


_JSON_SPACE = b" \t\r\n"
_AFTER_OBJECT = re.compile(rb"\}[ \t\r\n]*,")
#: Bytes after a candidate cut that the parent parses to see whether the cut is between two
#: top-level elements, and how many candidates it tries per cut.
_TRIAL_BYTES = 256 * 1024
_TRIAL_CANDIDATES = 200


def _cut(text: bytes, jobs: int) -> list[tuple[int, int]] | None:
    """Byte ranges of ``text`` (a JSON array ``[ … ]``), one per process, each running from just
    after the ``[`` or a ``,`` to just before the next cut's ``,`` or the closing ``]``; None when
    ``text`` is not bracketed.

    A cut goes at a ``},`` after each of ``jobs - 1`` evenly spaced points, and most of those are
    inside a case (after the employer object or a month). ``[`` + the next ``_TRIAL_BYTES`` after
    the comma tell them apart cheaply: after a cut inside a case the parse stops at that case's
    first unmatched ``}`` or ``]``, a few hundred bytes on, while after a cut between cases it reads
    whole cases until the sample runs out. This only chooses the cuts; what proves them is that
    every range parses as a non-empty array on its own (in the children), which is possible only
    when each cut is between two top-level elements."""
    first = len(text) - len(text.lstrip(_JSON_SPACE))
    last = len(text.rstrip(_JSON_SPACE)) - 1
    if last <= first or text[first : first + 1] != b"[" or text[last : last + 1] != b"]":
        return None
    ranges = []
    begin = first + 1
    for k in range(1, jobs):
        at = max(begin, first + (last - first) * k // jobs)
        comma = None
        for _ in range(_TRIAL_CANDIDATES):
            match = _AFTER_OBJECT.search(text, at, last)
            if match is None:
                break
            at = match.end()
            if _starts_whole_elements(text, at, last):
                comma = at - 1
                break
        if comma is None:
            break
        ranges.append((begin, comma))
        begin = comma + 1
    ranges.append((begin, last))
    return ranges


def _starts_whole_elements(text: bytes, start: int, last: int) -> bool:
    """Whether a sample of ``text`` from ``start`` reads as array elements (see :func:`_cut`)."""
    stop = min(start + _TRIAL_BYTES, last)
    try:
        if stop == last:  # the sample runs to the closing bracket: it must parse as it is
            return bool(orjson.loads(b"[" + text[start:last] + b"]"))
        orjson.loads(b"[" + text[start:stop])
    except orjson.JSONDecodeError as exc:
        # positions count characters, which may be fewer than the bytes
        return stop < last and exc.pos >= _TRIAL_BYTES // 8
    return True


class Command(BaseCommand):
    help = "Evaluate eligibility cases from a JSON file (or - for standard input) and print the results as JSON."
    requires_system_checks = []  # see the module docstring

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a JSON file with one case or an array of cases, or - for stdin")
        parser.add_argument(
            "--lang",
            choices=["sv", "en"],
            default="sv",
            help="language of the explanation texts (default: sv)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=_usable_cpus(),
            help="processes for a large input (16 MiB of JSON or more; default: the usable CPUs)",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
            else:
                with open(path, "rb") as fh:
                    text = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        # The batch makes millions of small dicts and lists and no reference cycles: the cyclic
        # garbage collector would only rescan them again and again (about 15 % of the CPU time
        # on 100,000 cases, measured once on a loaded machine), so it is paused for the batch.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            out, errors, count = self._run(text, path, options["lang"], max(1, options["jobs"]))
        finally:
            if gc_was_enabled:
                gc.enable()
        if isinstance(out, list):  # JSON array insides, as bytes
            if getattr(self.stdout, "_out", None) is sys.stdout and hasattr(sys.stdout, "buffer"):
                # Straight to the binary stdout, part by part: decoding and re-encoding 100 MB of
                # text costs more than evaluating the cases.
                sys.stdout.flush()
                write = sys.stdout.buffer.write
                write(b"[")
                for i, part in enumerate(out):
                    if i:
                        write(b",")
                    write(part)
                write(b"]\n")
                sys.stdout.buffer.flush()
            else:
                self.stdout.write((b"[" + b",".join(out) + b"]").decode())
        else:
            self.stdout.write(out)
        if errors:
            raise CommandError(f"{errors} of {count} case(s) could not be evaluated", returncode=1)

    def _run(self, text, path, lang, jobs=1):
        stdlib = _has_long_digit_run(text)  # a number orjson would not keep exact
        if not stdlib and isinstance(text, bytes):
            split = _evaluate_split(text, lang, jobs)
            if split is not None:
                return split
        if not stdlib:
            try:
                data = orjson.loads(text)
            except orjson.JSONDecodeError:
                stdlib = True  # e.g. NaN in the input: write it back the way json does, too
        parameters = current_parameters()
        if not stdlib:
            cases = data if isinstance(data, list) else [data]
            del data
            count = len(cases)
            try:
                parts, errors = _evaluate_to_json(cases, parameters, lang)
                return parts, errors, count
            except TypeError:  # orjson.JSONEncodeError: e.g. an id that is an integer beyond 64 bits
                pass  # (the evaluated chunks' input is gone: read it again the standard library's way)
        data = _loads_stdlib(text, path)
        cases = data if isinstance(data, list) else [data]
        results, errors = evaluate_many(cases, parameters, lang=lang)
        out = json.dumps(results, ensure_ascii=False)
        return out, errors, len(cases)


def _evaluate_split(text: bytes, lang: str, jobs: int):
    """The input cut into ranges of about ``RANGE_BYTES`` (see :func:`_cut`), evaluated one range at
    a time, in ``jobs`` forked processes (contiguous groups of ranges) when the input is at least
    ``PARALLEL_MIN_BYTES``, else in this process: ``(parts, errors, count)`` as ``_run`` returns
    them, or None when the input is too small to cut or the cut cannot be used."""
    processes = jobs if len(text) >= PARALLEL_MIN_BYTES else 1
    if processes == 1 and len(text) < 2 * RANGE_BYTES:
        return None
    pieces = processes * max(1, -(-len(text) // (processes * RANGE_BYTES)))
    ranges = _cut(text, pieces)
    if ranges is None or len(ranges) < 2:
        return None
    processes = min(processes, len(ranges))
    parameters = current_parameters()
    if processes == 1:
        results = [_evaluate_ranges(text, ranges, parameters, lang)]
    else:
        size = len(ranges)
        groups = [ranges[i * size // processes : (i + 1) * size // processes] for i in range(processes)]
        results = _evaluate_in_processes(text, groups, parameters, lang)
    if results is None or any(r is None for r in results):
        return None
    return [part for r in results for part in r[0]], sum(r[1] for r in results), sum(r[2] for r in results)


def _evaluate_in_processes(text, groups, parameters, lang):
    """Evaluates each group of byte ranges of ``text`` in its own forked process; returns the
    groups' results in input order, or None where fork is not available."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    from django.db import connections

    connections.close_all()  # the children must not share the parent's database connection
    _BATCH.update(text=text, groups=groups, parameters=parameters, lang=lang)
    try:
        pool = multiprocessing.get_context("fork").Pool(len(groups))
        try:
            return pool.map(_evaluate_group, range(len(groups)), chunksize=1)
        finally:
            pool.close()
            pool.join()
    finally:
        _BATCH.clear()


#: 19 or more digits in a row: possibly an integer beyond 64 bits (in a string too, which is harmless)
_DIGITS_TO_ZERO = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{19,}")


def _has_long_digit_run(text: bytes | str) -> bool:
    """Whether ``text`` has 19 or more ASCII digits in a row (possibly an integer beyond 64 bits;
    in a string too, which is harmless). For bytes: translate + substring search, both C loops
    over the buffer, far faster than a regular expression on 100 MB."""
    if isinstance(text, bytes):
        return b"0" * 19 in text.translate(_DIGITS_TO_ZERO)
    return _LONG_DIGITS_TEXT.search(text) is not None


def _loads_stdlib(text: bytes | str, path: str):
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None

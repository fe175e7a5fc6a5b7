"""The UniFFI Python bindings of zkcontrib-ffi, end to end (stdlib unittest only).

Run by prover/ffi/tests/python.rs, which generates the bindings (`uniffi-bindgen generate
--library`) into a temporary folder next to a copy of the cdylib and sets:
  ZKC_BINDINGS_DIR  the folder with zkcontrib_ffi.py and the library
  ZKC_KEYS_DIR      TEST-shape keys
  ZKC_POLICY        the policy file
  ZKC_FIXES_CSV     lat,lon,unix_ms per line (header first)
  ZKC_TMP           a folder for state files
"""

import csv
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.environ["ZKC_BINDINGS_DIR"])

import zkcontrib_ffi as zkc  # noqa: E402

SUBMITTER = "0x00000000000000000000000000000000000d3e40"


def fixes():
    with open(os.environ["ZKC_FIXES_CSV"], newline="") as f:
        return [(float(r["lat"]), float(r["lon"]), int(r["unix_ms"])) for r in csv.DictReader(f)]


def config(state_path=None):
    return zkc.SessionConfig(
        keys_dir=os.environ["ZKC_KEYS_DIR"],
        shape="test",
        policy_path=os.environ["ZKC_POLICY"],
        submitter=SUBMITTER,
        state_path=state_path,
        threads=1,
        low_power=False,
        save_every=30,
    )


class Recorder(zkc.ProgressListener):
    """Collects events; it runs on the proving thread."""

    def __init__(self, cancel_after_first_chunk=None, then_raise=False):
        self.then_raise = then_raise
        self.events = []
        self.lock = threading.Lock()
        self.first_chunk = threading.Event()
        self.session = cancel_after_first_chunk

    def on_progress(self, event):
        with self.lock:
            self.events.append(event)
        if isinstance(event, zkc.ProgressEvent.CHUNK_PROVEN):
            if self.session is not None:
                self.session.cancel()
            self.first_chunk.set()
        if self.then_raise:
            raise RuntimeError("a listener that throws must not stop proving")


class SessionTest(unittest.TestCase):
    def test_push_progress_finish_and_the_bundle_verifies(self):
        rec = Recorder(then_raise=True)
        s = zkc.Session.start(config(), rec)
        points = fixes()
        outside = 0
        for lat, lon, ms in points[:100]:
            outside += s.push(lat, lon, ms).outside
        r = s.push_many([zkc.Fix(lat=a, lon=b, unix_ms=t) for a, b, t in points[100:]])
        outside += r.outside
        self.assertEqual(r.broken, 0, r.violations)
        st = s.status()
        self.assertEqual(st.points, len(points))
        self.assertFalse(st.broken)

        done = s.finish()
        bundle = json.loads(done.bundle_json)
        opening = json.loads(done.opening_json)
        self.assertEqual(len(bundle["chunks"]), 5)
        self.assertEqual(bundle["claims"]["points"], len(points))
        self.assertEqual(opening["contribution_id"], bundle["contribution_id"])
        self.assertEqual(done.proven_early + done.proven_at_finish, 5)

        with rec.lock:
            proven = [e for e in rec.events if isinstance(e, zkc.ProgressEvent.CHUNK_PROVEN)]
            phases = [e for e in rec.events if isinstance(e, zkc.ProgressEvent.PHASE)]
        self.assertEqual(sorted(e.chunk for e in proven), [0, 1, 2, 3, 4])
        self.assertIn(zkc.Phase.MSM, {e.phase for e in phases})

        with open(os.path.join(os.environ["ZKC_TMP"], "py-bundle.json"), "w") as f:
            f.write(done.bundle_json)  # verified again by the Rust side
        verdict = zkc.verify_bundle(os.environ["ZKC_KEYS_DIR"], os.environ["ZKC_POLICY"], done.bundle_json)
        self.assertTrue(verdict.accepted, verdict.message)
        tampered = done.bundle_json.replace('"points": 300', '"points": 301')
        self.assertNotEqual(tampered, done.bundle_json)
        self.assertFalse(zkc.verify_bundle(os.environ["ZKC_KEYS_DIR"], os.environ["ZKC_POLICY"], tampered).accepted)

    def test_bad_fixes_are_bad_input(self):
        s = zkc.Session.start(config(), None)
        for lat, lon, ms in [(float("nan"), 0.0, 0), (91.0, 0.0, 0), (0.0, 181.0, 0), (0.0, 0.0, -1)]:
            with self.assertRaises(zkc.FfiError.BadInput):
                s.push(lat, lon, ms)
        self.assertEqual(s.status().points, 0)
        with self.assertRaises(zkc.FfiError.Config):
            zkc.Session.start(zkc.SessionConfig(
                keys_dir="/nonexistent", shape="test", policy_path=os.environ["ZKC_POLICY"],
                submitter=SUBMITTER, state_path=None, threads=1, low_power=False, save_every=30), None)

    def test_cancel_from_the_listener_then_resume(self):
        state = os.path.join(os.environ["ZKC_TMP"], "py-cancel.state")
        rec = Recorder()
        s = zkc.Session.start(config(state), rec)
        rec.session = s
        points = fixes()
        i = 0
        while i < len(points) and not rec.first_chunk.is_set():
            s.push(*points[i])
            i += 1
            if s.status().chunks_pending:
                rec.first_chunk.wait(120)
        self.assertTrue(rec.first_chunk.is_set())
        with self.assertRaises(zkc.FfiError.Cancelled):
            s.finish()
        rec.session = None
        del s

        s = zkc.Session.resume(config(state), Recorder())
        start = s.status().points
        self.assertEqual(start, i)
        s.push_many([zkc.Fix(lat=a, lon=b, unix_ms=t) for a, b, t in points[start:]])
        done = s.finish()
        verdict = zkc.verify_bundle(os.environ["ZKC_KEYS_DIR"], os.environ["ZKC_POLICY"], done.bundle_json)
        self.assertTrue(verdict.accepted, verdict.message)


if __name__ == "__main__":
    unittest.main()

"""The ZKTeco ATTLOG parser is tolerant: good lines kept, bad lines reported by number (pure)."""

import datetime as dt

from window_staff.terminals import zkteco


def test_tab_separated_lines_with_either_line_ending_are_read():
    logs, bad = zkteco.parse_attlog(b"1001\t2026-11-25 08:29:10\t0\t1\t0\t0\r\n1002\t2026-11-25 08:31:00\t1\t15\n")
    assert bad == []
    assert [(e.pin, e.kind, e.verify_mode) for e in logs] == [("1001", "in", "fingerprint"), ("1002", "out", "face")]


def test_malformed_lines_are_skipped_and_named():
    body = (
        b"1001\t2026-11-25 08:29:10\t0\t1\n\nno-tabs-here\n1002\t25/11/2026\t0\t1\n"
        b"1003\t2026-11-25 08:30:00\tx\t1\n1004\t2026-11-25 08:30:00\t0\t1\n"
    )
    logs, bad = zkteco.parse_attlog(body)
    assert [e.pin for e in logs] == ["1001", "1004"]
    assert [b.line_no for b in bad] == [3, 4, 5]


def test_missing_status_and_verify_default_to_zero():
    logs, _ = zkteco.parse_attlog(b"7\t2026-11-25 08:00:00\n")
    assert logs[0].status == 0 and logs[0].verify == 0


def test_device_local_time_becomes_a_utc_instant():
    at = zkteco.to_instant(dt.datetime(2026, 11, 25, 8, 30), timezone="Asia/Shanghai")
    assert at == dt.datetime(2026, 11, 25, 0, 30, tzinfo=dt.UTC)


NOW = dt.datetime(2026, 11, 25, 0, 30, tzinfo=dt.UTC)


def test_handshake_names_the_serial_and_the_time_zone():
    text = zkteco.handshake("ZK123", time_zone="Asia/Shanghai", at=NOW)
    assert text.startswith("GET OPTION FROM: ZK123\n") and "TimeZone=8\n" in text and "Realtime=1" in text


def test_a_whole_hour_zone_is_sent_in_hours():
    assert [zkteco.time_zone_option(z, at=NOW) for z in ("Asia/Shanghai", "Asia/Urumqi", "UTC", "America/Lima")] == ["8", "6", "0", "-5"]


def test_a_zone_off_the_hour_is_sent_in_minutes():
    assert [zkteco.time_zone_option(z, at=NOW) for z in ("Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns")] == ["330", "345", "-210"]


def test_the_offset_is_the_one_in_force_at_the_instant():
    summer = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    assert (zkteco.time_zone_option("Europe/Berlin", at=NOW), zkteco.time_zone_option("Europe/Berlin", at=summer)) == ("1", "2")
    assert zkteco.time_zone_option("America/St_Johns", at=summer) == "-150"


def test_devicecmd_results_are_parsed_per_line():
    assert zkteco.parse_devicecmd(b"ID=5&Return=0&CMD=DATA\nID=6&Return=-1&CMD=INFO\n") == [
        {"ID": "5", "Return": "0", "CMD": "DATA"},
        {"ID": "6", "Return": "-1", "CMD": "INFO"},
    ]


def test_every_verify_mode_name_gives_its_code_back():
    assert len(set(zkteco.VERIFY_MODES.values())) == len(zkteco.VERIFY_MODES)
    assert all(zkteco.verify_code(zkteco.verify_mode_name(code)) == code for code in [*zkteco.VERIFY_MODES, 26, 200])
    assert (zkteco.verify_mode_name(0), zkteco.verify_mode_name(2), zkteco.verify_mode_name(99)) == ("password", "card", "mode-99")
    assert zkteco.verify_code("face+fingerprint") == 16 and zkteco.verify_code("manual") is None


def test_a_status_or_verify_out_of_range_is_a_bad_line():
    logs, bad = zkteco.parse_attlog(b"1\t2026-11-25 08:00:00\t0\t99999999999\n2\t2026-11-25 08:00:00\t-1\t1\n")
    assert logs == [] and [b.line_no for b in bad] == [1, 2]


def test_the_handshake_turns_encryption_off_and_names_the_stamps():
    options = dict(line.split("=", 1) for line in zkteco.handshake("ZK1", time_zone="Asia/Shanghai", at=NOW).splitlines()[1:])
    assert options["Encrypt"] == "0" and {"ATTLOGStamp", "OPERLOGStamp", "ATTPHOTOStamp"} <= set(options)


def test_an_operlog_summary_counts_kinds_and_keeps_no_user_data():
    summary = zkteco.summarize_operlog(b"OPLOG 4\t0\t2026-11-25 08:00:00\t0\t0\t0\t0\r\nUSER PIN=7\tPasswd=1234\nFP PIN=7\tTMP=AAAA\n\n")
    assert summary.lines == 3 and summary.kinds == {"OPLOG": 1, "USER": 1, "FP": 1}
    assert summary.operations == [("4", "0", "2026-11-25 08:00:00")]
    assert "1234" not in repr(summary) and "AAAA" not in repr(summary)


def test_every_line_of_a_long_upload_is_read():
    body = "".join(f"{i}\t2026-11-25 08:00:00\t0\t1\n" for i in range(1, 12_001)).encode()
    logs, bad = zkteco.parse_attlog(body)
    assert len(logs) == 12_000 and bad == []


def test_a_bad_line_carries_its_excerpt_and_the_digest_of_the_whole_line():
    _, bad = zkteco.parse_attlog(b"1\t2026-11-25 08:00:00\nnot\ta time\r\n")
    assert (bad[0].line_no, bad[0].excerpt, len(bad[0].digest)) == (2, "not\\ta time", 64)
    _, again = zkteco.parse_attlog(b"not\ta time\n")
    assert again[0].digest == bad[0].digest


def test_an_excerpt_masks_secret_values_and_long_tokens():
    excerpt = zkteco.safe_excerpt("USER PIN=7\tPasswd=424242\tCard=[A1B2]\tpwd = 99\tTMP=" + "QUJD" * 20)
    assert excerpt == "USER PIN=7\\tPasswd=***\\tCard=***\\tpwd=***\\tTMP=***"


def test_an_excerpt_is_cut_and_shows_control_characters_as_question_marks():
    assert zkteco.safe_excerpt("a\x1b[31m\u202eb\x00") == "a?[31m?b?"
    long = zkteco.safe_excerpt("中文 " * 100)
    assert len(long) == zkteco.EXCERPT_CHARS and long.endswith("…")


def test_unreadable_lines_past_the_cap_become_one_summary():
    _, bad = zkteco.parse_attlog(b"a\nb\nc\nd\n", max_bad=2)
    assert [(b.line_no, b.count, b.last_line_no) for b in bad] == [(1, 1, None), (2, 1, None), (3, 2, 4)]

"""Reading back the text of a PDF WeasyPrint wrote, for the tests of the window's PDFs."""

from __future__ import annotations

import re
import zlib


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF written by WeasyPrint, each run read through the ToUnicode map of
    its own font (the regular and the bold face number their glyphs differently)."""
    streams = _streams(pdf)
    maps: dict[bytes, dict[str, str]] = {}
    # Font dictionaries are flat (<< … >> without nesting), in the file or in object streams, and
    # their keys come in any order.
    fonts = []
    for data in [pdf, *streams.values()]:
        for body in re.findall(rb"<<([^<>]*)>>", data):
            tag = re.search(rb"/BaseFont\s*/(\w+)\+", body)
            ref = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
            if tag and ref:
                fonts.append((tag.group(1), ref.group(1)))
    for tag, ref in fonts:
        glyphs = maps.setdefault(tag, {})
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", streams.get(ref, b""), re.S):
            for gid, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                glyphs[gid.decode().lower()] = bytes.fromhex(code.decode()).decode("utf-16-be")
    text: list[str] = []
    for data in streams.values():
        glyphs: dict[str, str] = {}
        for match in re.finditer(rb"/(\w+) [\d.]+ Tf|\[(.*?)\]\s*TJ", data, re.S):
            if match.group(1) is not None:
                glyphs = maps.get(match.group(1), {})
                continue
            for run in re.findall(rb"<([0-9a-fA-F]*)>", match.group(2)):
                run = run.decode().lower()
                text.extend(glyphs.get(run[i : i + 4], "") for i in range(0, len(run), 4))
    return "".join(text)


def pdf_streams(pdf: bytes) -> list[bytes]:
    return list(_streams(pdf).values())


def _streams(pdf: bytes) -> dict[bytes, bytes]:
    """Object number -> the stream's decoded bytes, each sliced by its /Length (compressed data
    may hold any byte sequence, "endstream" included)."""
    found: dict[bytes, bytes] = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*<<", pdf):
        depth, at = 1, match.end()
        while depth and at < len(pdf):
            if pdf.startswith(b"<<", at):
                depth, at = depth + 1, at + 2
            elif pdf.startswith(b">>", at):
                depth, at = depth - 1, at + 2
            else:
                at += 1
        head = pdf[match.end() : at]
        length = re.search(rb"/Length (\d+)(?! \d+ R)", head)
        opening = re.match(rb"\s*stream\r?\n", pdf[at : at + 20])
        if not (length and opening):
            continue
        start = at + opening.end()
        data = pdf[start : start + int(length.group(1))]
        try:
            found[match.group(1)] = zlib.decompress(data)
        except zlib.error:
            found[match.group(1)] = data
    return found

#!/usr/bin/python3
# fontcover.py check BOOK.html USES.json: is every character of the book
# drawn by a font embedded in it?
#
# USES.json is what the browser saw (read.js, check "fonts"): for each
# font-family list, weight and style the book's text is set in, the
# characters set so, each with where it was met.  BOOK.html's embedded
# faces (<style id="book-fonts">, book/tools/fonts) are read from their
# WOFF2, and each character is looked up as the browser does: along the
# list, in each embedded family the face closest in weight and style (all
# its faces of that weight and style, each within its unicode-range);
# reaching a family that is not embedded (a system font, "serif") fails.
# Exit 0 when every character is covered, 1 otherwise (each one named).
#
# fontcover.py drop BOOK.html FAMILY WEIGHT STYLE CHAR OUT.html: a copy of
# the book whose face FAMILY WEIGHT STYLE (the first, without
# unicode-range) lacks CHAR: what a subset that dropped a character the
# book uses looks like, for the test that the check catches it.
import base64
import io
import json
import re
import sys
import unicodedata

from fontTools.ttLib import TTFont
from fontTools import subset

FACE = re.compile(r'@font-face\{([^}]*)\}')


def faces_of(page):
    m = re.search(r'<style id="book-fonts">(.*?)</style>', page, re.S)
    if not m:
        sys.exit("fontcover: no <style id=\"book-fonts\"> in the book: no fonts embedded")
    out = []
    for f in FACE.finditer(m.group(1)):
        body = f.group(1)
        d = dict(re.findall(r'(font-family|font-style|font-weight|unicode-range):([^;]*);', body))
        b64 = re.search(r'base64,([A-Za-z0-9+/=]+)\)', body).group(1)
        urange = None
        if "unicode-range" in d:
            urange = []
            for r in d["unicode-range"].split(","):
                a, _, b = r.strip()[2:].partition("-")
                urange.append((int(a, 16), int(b or a, 16)))
        font = TTFont(io.BytesIO(base64.b64decode(b64)))
        out.append({"family": d["font-family"].strip('"'), "weight": int(d["font-weight"]), "style": d["font-style"],
                    "range": urange, "cmap": set(font["cmap"].getBestCmap()), "b64": b64, "span": f.span()})
    return out


def pick(faces, family, weight, style):
    """The faces of family the browser would use for weight and style."""
    fam = [f for f in faces if f["family"] == family]
    italic = style in ("italic", "oblique")
    styles = [f for f in fam if (f["style"] != "normal") == italic] or fam
    ws = sorted({f["weight"] for f in styles})
    if weight > 500:
        order = [w for w in ws if w >= weight] + [w for w in reversed(ws) if w < weight]
    else:
        order = [w for w in ws if weight <= w <= 500] + [w for w in reversed(ws) if w < weight] + [w for w in ws if w > 500]
    w = order[0]
    return [f for f in styles if f["weight"] == w]


def covers(face, cp):
    if face["range"] is not None and not any(a <= cp <= b for a, b in face["range"]):
        return False
    return cp in face["cmap"]


def families(css):
    return [x.strip().strip('"').strip("'") for x in css.split(",") if x.strip()]


def check(book, uses_file):
    with open(book, encoding="utf-8") as fh:
        faces = faces_of(fh.read())
    with open(uses_file, encoding="utf-8") as fh:
        uses = json.load(fh)
    embedded = {f["family"] for f in faces}
    bad, n, kinds = [], 0, 0
    for u in uses:
        kinds += 1
        for ch, where in sorted(u["chars"].items()):
            cp = ord(ch)
            if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
                continue
            n += 1
            for fam in families(u["family"]):
                if fam not in embedded:
                    bad.append("U+%04X %s in %s %s %s: no embedded font of the list has it, %s would draw it (e.g. %s)"
                               % (cp, ch, u["family"], u["weight"], u["style"], fam, where))
                    break
                if any(covers(f, cp) for f in pick(faces, fam, int(u["weight"]), u["style"])):
                    break
            else:
                bad.append("U+%04X %s in %s: no font of the list has it (e.g. %s)" % (cp, ch, u["family"], where))
    print("fonts: %d faces embedded in %d families; %d characters in %d kinds of text checked; not covered: %d"
          % (len(faces), len(embedded), n, kinds, len(bad)))
    for b in bad[:40]:
        print("not covered: " + b)
    return 1 if bad else 0


def drop(book, family, weight, style, ch, out):
    with open(book, encoding="utf-8") as fh:
        page = fh.read()
    m = re.search(r'<style id="book-fonts">', page)
    for f in faces_of(page):
        if f["family"] == family and f["weight"] == int(weight) and f["style"] == style and f["range"] is None:
            break
    else:
        sys.exit("fontcover: no face %s %s %s" % (family, weight, style))
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    font = TTFont(io.BytesIO(base64.b64decode(f["b64"])))
    s = subset.Subsetter(opts)
    s.populate(unicodes=sorted(f["cmap"] - {ord(ch)}))
    s.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    new = base64.b64encode(buf.getvalue()).decode()
    at = page.index(f["b64"], m.end())
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(page[:at] + new + page[at + len(f["b64"]):])
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "check":
        sys.exit(check(a[1], a[2]))
    if len(a) == 7 and a[0] == "drop":
        sys.exit(drop(*a[1:]))
    sys.exit("usage: fontcover.py check BOOK.html USES.json\n"
             "       fontcover.py drop BOOK.html FAMILY WEIGHT STYLE CHAR OUT.html")

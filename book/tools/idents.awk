# idents.awk: which identifier in the book's C code is a link, and where to.
#
# Run with kinds.awk on the stream of book/tools/markup (every chapter).
# The rule is simple, so that a link never lies: the only link targets are
# the file-scope definitions of the book's own C files (functions with a
# body, objects, typedefs, struct/union/enum tags, enumeration constants,
# macros); everything else (a local, a parameter, a member, a library
# function such as printf, a keyword, anything in a comment, a string or a
# preprocessor line) is plain text.  A use links to the definition in its
# own file, else, for a name that a header the file includes (#include
# "...") defines, to that header, and for a name such a header only declares
# (a prototype, an extern object), to its definition in a lib/*.c file.
#
# Each C root is expanded (its chunks, recursively) and read as C tokens:
# brace depth tells file scope from function bodies; a function's locals and
# parameters, found by their declarations, are never links inside it.
# Writes, for book/tools/weave.awk:
#   def N NAME           code chunk N (markup's numbering) defines NAME
#   use N LINE NAME K M  the K-th whole-word NAME on line LINE of chunk N
#                        (counting words in strings and comments too) is a
#                        use of the definition in chunk M

BEGIN {
    split("auto break case char const continue default do double else enum extern " \
          "float for goto if inline int long register restrict return short signed " \
          "sizeof static struct switch typedef union unsigned void volatile while " \
          "_Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn " \
          "_Static_assert _Thread_local asm __attribute__ __extension__ typeof __typeof__ " \
          "noreturn static_assert alignas alignof bool true false NULL", kw, " ")
    for (i in kw) KEYWORD[kw[i]] = 1
    split("void char short int long float double signed unsigned _Bool const volatile " \
          "static register struct union enum extern auto _Atomic restrict inline _Noreturn " \
          "FILE DIR va_list jmp_buf sigjmp_buf bool", tw, " ")
    for (i in tw) TYPEWORD[tw[i]] = 1
}

# ------------------------------------------------------------ the stream
/^@begin code / { cur = $3; incode = 1; head = 1; line = ""; useline = ""; next }
/^@end code /   { incode = 0; next }
incode && /^@defn / {
    name = substr($0, 7); cname[cur] = name
    parts[name] = parts[name] " " cur
    nlines[cur] = 0
    next
}
incode && /^@use / { useline = substr($0, 6); used[useline] = 1; next }
incode && /^@text / { line = line substr($0, 7); next }
incode && /^@nl/ {
    if (head) head = 0
    else {
        n = ++nlines[cur]
        if (useline != "") usename[cur, n] = useline
        else text[cur, n] = line
    }
    line = ""; useline = ""
    next
}

# ------------------------------------------------------------ expansion
# the lines of root R, in order: chunk number and line number of each
function expand(name, depth,    p, np, k, c, i) {
    if (depth > 50) return
    np = split(parts[name], p, " ")
    for (k = 1; k <= np; k++) {
        c = p[k]
        for (i = 1; i <= nlines[c]; i++) {
            if ((c, i) in usename) expand(usename[c, i], depth + 1)
            else { nx++; xchunk[nx] = c; xline[nx] = i }
        }
    }
}

# ------------------------------------------------------------ the lexer
# Tokens of the expanded root: tok[t] (an identifier, or one character or
# "->" of punctuation), with the chunk, line and word ordinal of each.
function lex(    x, s, L, j, ch, w, cnt, inpp) {
    nt = 0; incomment = 0; contpp = 0
    for (x = 1; x <= nx; x++) {
        s = text[xchunk[x], xline[x]]; L = length(s); delete cnt
        j = 1
        if (!incomment && !contpp && s ~ /^[ \t]*#/) {
            ppline(s, xchunk[x])
            inpp = 1
        } else inpp = contpp
        contpp = inpp && s ~ /\\$/
        while (j <= L) {
            ch = substr(s, j, 1)
            if (incomment) {
                if (substr(s, j, 2) == "*/") { incomment = 0; j += 2; continue }
                if (ch ~ /[A-Za-z0-9_]/) { w = word(s, j); cnt[w]++; j += length(w); continue }
                j++; continue
            }
            if (substr(s, j, 2) == "/*") { incomment = 1; j += 2; continue }
            if (substr(s, j, 2) == "//") {
                for (; j <= L; j++) if (substr(s, j, 1) ~ /[A-Za-z0-9_]/) { w = word(s, j); cnt[w]++; j += length(w) - 1 }
                break
            }
            if (ch == "\"" || ch == "'") {          # a string or character constant
                for (j++; j <= L && substr(s, j, 1) != ch; j++) {
                    if (substr(s, j, 1) == "\\") { j++; if (substr(s, j, 1) ~ /[A-Za-z0-9_]/) { w = word(s, j); cnt[w]++; j += length(w) - 1 }; continue }
                    if (substr(s, j, 1) ~ /[A-Za-z0-9_]/) { w = word(s, j); cnt[w]++; j += length(w) - 1 }
                }
                j++; continue
            }
            if (ch ~ /[A-Za-z0-9_]/) {
                w = word(s, j); cnt[w]++; j += length(w)
                if (inpp || w ~ /^[0-9]/) continue
                tok[++nt] = w; tchunk[nt] = xchunk[x]; tline[nt] = xline[x]; tord[nt] = cnt[w]; tid[nt] = 1
                continue
            }
            if (ch ~ /[ \t]/ || inpp) { j++; continue }
            if (substr(s, j, 2) == "->") { ch = "->"; j++ }
            tok[++nt] = ch; tid[nt] = 0; tchunk[nt] = xchunk[x]; tline[nt] = xline[x]
            j++
        }
    }
}
function word(s, j) { match(substr(s, j), /^[A-Za-z0-9_]+/); return substr(s, j, RLENGTH) }
function ppline(s, chunk,    m, inc) {
    if (match(s, /^[ \t]*#[ \t]*define[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
        m = substr(s, RSTART, RLENGTH); sub(/^.*[ \t]/, "", m)
        if (m !~ /^_(POSIX_C|GNU|XOPEN|DEFAULT)_SOURCE$/ && m !~ /^[A-Z0-9_]+_H$/)
            define(m, chunk, 0)
    }
    if (match(s, /^[ \t]*#[ \t]*include[ \t]*"[^"]+"/)) {
        inc = substr(s, RSTART, RLENGTH); sub(/^[^"]*"/, "", inc); sub(/"$/, "", inc)
        includes[R] = includes[R] " " inc
    }
}

# ------------------------------------------------------------ the parser
function define(name, chunk, t) {
    if (name in KEYWORD || name == "") return
    if (!((R, name) in defchunk)) defchunk[R, name] = chunk
    if (cur_ext && !((R, name) in extdef)) extdef[R, name] = chunk
    if (!((chunk, name) in defs)) { defs[chunk, name] = 1; print "def " chunk " " name }
    if (t) isdef[t] = 1
}
function declare(name, t) {
    if (name in KEYWORD || name == "") return
    declared[R, name] = 1
    if (t) isdef[t] = 1        # a prototype's name: resolved like a use
    candidate(t)
}
# a use to resolve once every root is read
function candidate(t) {
    if (!tid[t] || tok[t] in KEYWORD) return
    ncand++; croot[ncand] = R; cname_[ncand] = tok[t]
    cchunk[ncand] = tchunk[t]; cline[ncand] = tline[t]; cord[ncand] = tord[t]
}
function is_type_start(t) {
    return tid[t] && (tok[t] in TYPEWORD || tok[t] ~ /_t$/ || tok[t] in typedefs)
}
# the name a declarator of tokens a..b declares, or 0
function declarator(a, b,    t, pd, last) {
    last = 0; pd = 0
    for (t = a; t <= b; t++) {
        if (tok[t] == "=" && pd == 0) break
        if (tok[t] == "[" && pd == 0) break
        if (tok[t] == "(" ) {
            if (t + 2 <= b && tok[t + 1] == "*" && tid[t + 2]) return t + 2
            if (t + 3 <= b && tok[t + 1] == "*" && tok[t + 2] == "const" && tid[t + 3]) return t + 3
            if (last) return -last        # a function: its name, negated
            pd++
        }
        if (tok[t] == ")") pd--
        if (tid[t] && !(tok[t] in KEYWORD) && pd == 0) last = t
        if (tok[t] == "{}") last = 0
    }
    if (last && last > a && tok[last - 1] ~ /^(struct|union|enum)$/) return 0
    return last
}
# a declaration at file scope, tokens a..b (b is the ;)
function file_decl(a, b,    t, start, pd, d, ext, td) {
    td = tok[a] == "typedef"
    cur_ext = 1
    for (t = a; t < b; t++) { if (tok[t] == "extern") ext = 1; if (tok[t] == "static") cur_ext = 0 }
    start = a; pd = 0
    for (t = a; t <= b; t++) {
        if (tok[t] == "(") pd++
        if (tok[t] == ")") pd--
        if ((tok[t] == "," && pd == 0) || t == b) {
            d = declarator(start, t - 1)
            if (d > 0) {
                if (td) { typedefs[tok[d]] = 1; define(tok[d], tchunk[d], d) }
                else if (ext) declare(tok[d], d)
                else define(tok[d], tchunk[d], d)
            } else if (d < 0) {
                declare(tok[-d], -d)
                params(-d + 1, t - 1)
            }
            start = t + 1
        }
    }
    cur_ext = 0; delete local
    for (t = a; t <= b; t++) if (!isdef[t] && !isparam[t]) candidate(t)
}
# parameter names of a parameter list starting at the ( at p; marks them
function params(p, b,    t, pd, start, d) {
    pd = 0; start = p + 1
    for (t = p; t <= b; t++) {
        if (tok[t] == "(") { pd++; continue }
        if (tok[t] == ")") { pd--; if (pd == 0) { d = pdecl(start, t - 1); break } ; continue }
        if (tok[t] == "," && pd == 1) { pdecl(start, t - 1); start = t + 1 }
    }
    return t
}
function pdecl(a, b,    d) {
    if (a > b) return
    d = declarator(a, b)
    if (d < 0) d = -d
    if (d > 0 && d > a) { isparam[d] = 1; local[tok[d]] = 1 }
}
# a function body, tokens a..b (the braces): its locals first, then its uses
function body(a, b,    t, s, pd, bd, start, d) {
    for (t = a; t <= b; t++) {
        s = t > a && (tok[t - 1] == "{" || tok[t - 1] == ";" || tok[t - 1] == "}" || (tok[t - 1] == "(" && t > a + 1 && tok[t - 2] == "for"))
        if (!s || !is_type_start(t)) continue
        if (!(tid[t + 1] || tok[t + 1] == "*" || tok[t + 1] == "(")) continue
        if (tok[t] ~ /^(struct|union|enum)$/ && tok[t + 2] == "{") continue
        # a declaration: declarators up to the ; (or the ; of a for)
        pd = 0; bd = 0; start = t
        for (; t <= b; t++) {
            if (tok[t] == "(") pd++
            else if (tok[t] == ")") { if (pd == 0) break; pd-- }
            else if (tok[t] == "{") bd++
            else if (tok[t] == "}") bd--
            if ((tok[t] == "," || tok[t] == ";") && pd == 0 && bd == 0) {
                d = declarator(start, t - 1)
                if (d < 0) d = -d
                if (d > 0) { local[tok[d]] = 1; isdef[d] = 1 }
                start = t + 1
                if (tok[t] == ";") break
            }
        }
    }
    for (t = a; t <= b; t++) {
        if (!tid[t] || isdef[t] || (tok[t] in local)) continue
        if (t > a && (tok[t - 1] == "." || tok[t - 1] == "->")) continue
        if (tok[t + 1] == ":" && (tok[t - 1] == ";" || tok[t - 1] == "{" || tok[t - 1] == "}")) continue   # a label
        if (tok[t - 1] == "goto") continue
        candidate(t)
    }
}
# struct/union body a..b: member names are not uses, their types are
function members(a, b,    t) {
    for (t = a + 1; t < b; t++) {
        if (!tid[t]) continue
        if (tok[t + 1] ~ /^[;,\[:]$/ || (tok[t - 1] == "*" && tok[t - 2] == "(" && tok[t + 1] == ")")) continue
        if (tok[t - 1] == "." || tok[t - 1] == "->") continue
        candidate(t)
    }
}
function enumerators(a, b,    t, item) {
    item = 1
    for (t = a + 1; t < b; t++) {
        if (tok[t] == ",") { item = 1; continue }
        if (item && tid[t]) { define(tok[t], tchunk[t], t); item = 0; continue }
        item = 0
        if (tid[t]) candidate(t)
    }
}
# matching brace of the { at t
function close_of(t,    d) {
    for (d = 0; t <= nt; t++) {
        if (tok[t] == "{") d++
        else if (tok[t] == "}") { d--; if (d == 0) return t }
    }
    return nt
}
function parse(    t, a, e, f, pd, k, sawparen, tag, kind) {
    a = 1; pd = 0
    for (t = 1; t <= nt; t++) {
        if (tok[t] == "(") { pd++; continue }
        if (tok[t] == ")") { pd--; continue }
        if (tok[t] == ";" && pd == 0) { file_decl(a, t); a = t + 1; continue }
        if (tok[t] != "{" || pd != 0) continue
        e = close_of(t)
        for (k = a; k < t && tok[k] != "="; k++) ;
        if (tok[t - 1] == ")" && t > a && k == t) {
            # a function definition: name ( params ) { body }
            delete local
            for (k = a; k < t && tok[k] != "("; k++) ;
            f = k - 1
            if (tid[f]) {
                cur_ext = 1
                for (k = a; k < f; k++) if (tok[k] == "static") cur_ext = 0
                define(tok[f], tchunk[f], f)
                cur_ext = 0
                params(f + 1, t - 1)        # from the ( after the name
                for (k = a; k < t; k++) if (!isdef[k] && !isparam[k]) candidate(k)
            }
            body(t, e)
            delete local
            t = e; a = e + 1
            continue
        }
        kind = tok[t - 1]; tag = ""
        if (tid[t - 1] && tok[t - 2] ~ /^(struct|union|enum)$/) { kind = tok[t - 2]; tag = t - 1 }
        if (kind ~ /^(struct|union)$/) {
            if (tag) define(tok[tag], tchunk[tag], tag)
            members(t, e)
        } else if (kind == "enum") {
            if (tag) define(tok[tag], tchunk[tag], tag)
            enumerators(t, e)
        } else {
            # an initializer: its names are uses
            for (k = t; k <= e; k++) if (tid[k] && tok[k - 1] != ".") candidate(k)
        }
        # the braces become one token, so the declaration reads on
        tok[t] = "{}"; tid[t] = 0
        for (k = t + 1; k <= e; k++) { tok[k] = ""; tid[k] = 0 }
        t = e
    }
}

# ------------------------------------------------------------ the book
END {
    for (name in parts)
        if (!(name in used) && lang(name) == "c") roots[name] = 1
    # headers first, so their typedef names are known as types
    for (pass = 1; pass <= 2; pass++)
        for (R in roots) {
            if ((pass == 1) != (R ~ /\.h$/)) continue
            nx = 0; expand(R, 0); lex()
            delete isdef; delete isparam; delete local
            parse()
        }
    # resolve the uses
    for (i = 1; i <= ncand; i++) {
        R = croot[i]; n = cname_[i]
        m = resolve(R, n)
        if (m == "" || m == cchunk[i]) continue
        k = cchunk[i] SUBSEP cline[i] SUBSEP n SUBSEP cord[i]
        if (k in target && target[k] != m) target[k] = "?"
        else target[k] = m
    }
    # in the order the uses were found: a chunk's footer must not reorder
    # (and perhaps overflow the PDF's line) when an unrelated chunk changes
    for (i = 1; i <= ncand; i++) {
        k = cchunk[i] SUBSEP cline[i] SUBSEP cname_[i] SUBSEP cord[i]
        if (!(k in target) || target[k] == "?" || (k in printed)) continue
        printed[k] = 1
        split(k, f, SUBSEP)
        print "use " f[1] " " f[2] " " f[3] " " f[4] " " target[k]
    }
}
function resolve(R, n,    h, nh, i, m, lib) {
    if ((R, n) in defchunk) return defchunk[R, n]
    delete seen_h; nh = 0
    seen_h[R] = 1
    closure(R)
    for (h in seen_h) {
        if ((h, n) in defchunk) return defchunk[h, n]
        if ((h, n) in declared) {
            for (lib in roots)
                if (lib ~ /^lib\/[^\/]*\.c$/ && (lib, n) in extdef) return extdef[lib, n]
        }
    }
    return ""
}
# the headers root r includes, transitively (in seen_h)
function closure(r,    p, n, i, h) {
    n = split(includes[r], p, " ")
    for (i = 1; i <= n; i++) {
        h = p[i]
        if (!(h in roots)) { h = r; sub(/[^\/]*$/, "", h); h = h p[i] }
        if (!(h in roots) || (h in seen_h)) continue
        seen_h[h] = 1
        closure(h)
    }
}

# weave.awk: noweb back end that writes pandoc Markdown.
#
# Run with kinds.awk.  Reads the identifiers that idents.awk found, then
# the cross-referenced stream (markup | noidx) twice.  Pass 1 numbers the
# chunks and finds each one's language (from the root it ends up in).  Pass 2 copies prose through unchanged and turns
# every code chunk into a raw block of format "chunk", a small line format
# that chunks.lua renders:
#
#   label L / num N / name NAME / kind first|cont / lang LANG / file F
#   prev L N / next L N / cont L N / usedin L N / root
#   def IDENT L N ...   (identifier defined here; chunks that use it)
#   use IDENT L N       (identifier used here; the chunk defining it)
#   link I IDENT K L    (the K-th word IDENT on code line I is a link to L)
#   crumb L N NAME      (one per ancestor in the use graph, root first:
#                        the first chunk that uses this one, its user...)
#   top NAME            (the root, a file, this chunk ends up in)
#   code                (then one line per code line:)
#   T text              a line of code
#   U indent<TAB>L<TAB>N<TAB>name   a use of chunk NAME (first defined at L)
#
# At the end come the chunk index and the identifier index, as raw blocks
# "chunkindex" and "identindex".

BEGIN { FENCE = "``````````"; TAB = "\t" }

# ------------------------------------------------- pass 0: idents.awk's word
ARGIND == 1 {
    if ($1 == "def") { ndef[$2]++; defname[$2, ndef[$2]] = $3; defined_in[$3] = defined_in[$3] " " $2 }
    else if ($1 == "use") {
        # use N LINE NAME K M
        nlink[$2]++; linkof[$2, nlink[$2]] = $3 " " $4 " " $5 " " $6
        if (!(($2, $4, $6) in used_pair)) {
            used_pair[$2, $4, $6] = 1
            nuse[$2]++; usename_[$2, nuse[$2]] = $4; usedef[$2, nuse[$2]] = $6
            if (!(($6, $4, $2) in user_seen)) { user_seen[$6, $4, $2] = 1; users[$6, $4] = users[$6, $4] " " $2 }
        }
    }
    next
}

# ---------------------------------------------------------------- pass 1
ARGIND == 2 {
    if ($0 ~ /^@begin code/) { want_label = 1; cur = ""; curcode = $3 }
    else if ($0 ~ /^@xref label / && want_label) { cur = $3; want_label = 0; labelof[curcode] = cur }
    else if ($0 ~ /^@defn /) {
        name = substr($0, 7)
        num[cur] = ++nchunks
        nameof[cur] = name
        if (!(name in first)) first[name] = cur
        cur_name = name
    }
    else if ($0 ~ /^@use /) {
        u = substr($0, 6)
        if (!(u in parent)) parent[u] = cur_name
    }
    else if ($0 ~ /^@xref notused /) root[substr($0, 15)] = 1
    next
}

# language of a chunk: that of the root it is (first) used in (kinds.awk)
function lang_of(name,    n, guard) {
    n = name
    for (guard = 0; (n in parent) && guard < 1000; guard++) n = parent[n]
    return lang(n)
}

function ref(l) { return l " " num[l] }
# chunk refs "L N L N ..." of markup's chunk numbers in a string " n1 n2 ..."
function refs(s,    p, n, i, out) {
    n = split(s, p, " "); out = ""
    for (i = 1; i <= n; i++) out = out " " ref(labelof[p[i]])
    return out
}

# the breadcrumb of a chunk: its ancestors by first use, root first
function crumbs(name,    n, guard, out) {
    out = ""
    n = name
    for (guard = 0; (n in parent) && guard < 1000; guard++) {
        n = parent[n]
        out = "crumb " ref(first[n]) " " n "\n" out
    }
    return out "top " n "\n"
}

# ---------------------------------------------------------------- pass 2
/^@file / {
    file = substr($0, 7)
    printf "\n"
    next
}
/^@begin docs/ { indocs = 1; next }
/^@end docs/   { indocs = 0; next }
indocs && /^@text / { printf "%s", substr($0, 7); next }
indocs && /^@nl/    { printf "\n"; next }
indocs && /^@(quote|endquote)/ { next }

/^@begin code/ {
    incode = 1; label = ""; meta = ""; code = ""; line = ""; uses_line = 0; codeno = $3
    phase = "head"; want_label = 1
    ndefs = 0; delete defs; delete defidents
    next
}
incode && /^@xref label / && want_label { label = $3; want_label = 0; next }
incode && /^@defn / {
    name = substr($0, 7)
    meta = meta "label " label "\nnum " num[label] "\nname " name "\n"
    meta = meta "kind " (first[name] == label ? "first" : "cont") "\n"
    meta = meta "lang " lang_of(name) "\nfile " file "\n"
    if (name in root) meta = meta "root\n"
    meta = meta crumbs(name)
    for (i = 1; i <= ndef[codeno]; i++)
        meta = meta "def " defname[codeno, i] refs(users[codeno, defname[codeno, i]]) "\n"
    for (i = 1; i <= nuse[codeno]; i++)
        meta = meta "use " usename_[codeno, i] " " ref(labelof[usedef[codeno, i]]) "\n"
    for (i = 1; i <= nlink[codeno]; i++) {
        split(linkof[codeno, i], f, " ")
        meta = meta "link " f[1] " " f[2] " " f[3] " " labelof[f[4]] "\n"
    }
    next
}
incode && /^@xref prevdef / { meta = meta "prev " ref($3) "\n"; next }
incode && /^@xref nextdef / { meta = meta "next " ref($3) "\n"; next }
incode && /^@xref begindefs/ { xlist = "cont"; next }
incode && /^@xref beginuses/ { xlist = "usedin"; next }
incode && /^@xref (defitem|useitem) / { meta = meta xlist " " ref($3) "\n"; next }
incode && /^@xref (enddefs|enduses)/ { xlist = ""; next }
incode && /^@xref ref / { lastref = $3; next }
incode && /^@use / {
    # The front end only makes uses that stand alone on their line.
    uses_line = 1
    use_name = substr($0, 6)
    use_target = first[use_name]
    next
}
incode && /^@text / { line = line substr($0, 7); next }
incode && /^@nl/ {
    if (phase == "head") { phase = "body"; next }   # the <<name>>= line
    if (uses_line)
        code = code "U " line TAB use_target TAB num[use_target] TAB use_name "\n"
    else
        code = code "T " line "\n"
    line = ""; uses_line = 0
    next
}
incode && /^@end code/ {
    if (line != "") code = code "T " line "\n"
    printf "\n%s{=chunk}\n%scode\n%s%s\n\n", FENCE, meta, code, FENCE
    incode = 0
    next
}

# ------------------------------------------------- the two indexes, at the end
/^@xref beginchunks/ {
    printf "\n# Index of chunks {#index-chunks .unnumbered}\n\n%s{=chunkindex}\n", FENCE
    next
}
/^@xref chunkbegin / {
    cname = $0; sub(/^@xref chunkbegin [^ ]+ /, "", cname)
    clabel = $3; cdefs = ""; cuses = ""
    next
}
/^@xref chunkdefn / { cdefs = cdefs " " ref($3); next }
/^@xref chunkuse /  { cuses = cuses " " ref($3); next }
/^@xref chunkend/   {
    printf "%s%s%s%s%s%s%s\n", clabel, TAB, cname, TAB, substr(cdefs, 2), TAB, substr(cuses, 2)
    next
}
/^@xref endchunks/  { printf "%s\n\n", FENCE; next }

# The identifier index: each defined name, where it is defined, and the
# chunks that use one of its definitions, in the order of the book.
/^@index beginindex/ {
    printf "\n# Index of identifiers {#index-identifiers .unnumbered}\n\n%s{=identindex}\n", FENCE
    n = 0
    for (id in defined_in) names[++n] = id
    asort(names, names, "by_name")
    for (i = 1; i <= n; i++) {
        id = names[i]
        nd = split(defined_in[id], d, " "); iuses = ""; delete seenu; nu = 0
        for (j = 1; j <= nd; j++) {
            nus = split(users[d[j], id], us, " ")
            for (k = 1; k <= nus; k++) if (!(us[k] in seenu)) { seenu[us[k]] = 1; ulist[++nu] = us[k] + 0 }
        }
        asort(ulist, ulist2)
        for (k = 1; k <= nu; k++) iuses = iuses " " ref(labelof[ulist2[k]])
        delete ulist; delete ulist2
        printf "%s%s%s%s%s\n", id, TAB, substr(refs(defined_in[id]), 2), TAB, substr(iuses, 2)
    }
    next
}
/^@index endindex/   { printf "%s\n\n", FENCE; next }
/^@index/ { next }

function by_name(i1, v1, i2, v2,    a, b) {
    a = tolower(v1); b = tolower(v2)
    if (a != b) return a < b ? -1 : 1
    return v1 < v2 ? -1 : (v1 > v2)
}

# weave.awk: noweb back end that writes pandoc Markdown.
#
# Run with kinds.awk.  Reads the cross-referenced stream (markup |
# autodefs.c | finduses | noidx) twice.  Pass 1 numbers the chunks and finds each one's language (from
# the root it ends up in).  Pass 2 copies prose through unchanged and turns
# every code chunk into a raw block of format "chunk", a small line format
# that chunks.lua renders:
#
#   label L / num N / name NAME / kind first|cont / lang LANG / file F
#   prev L N / next L N / cont L N / usedin L N / root
#   def IDENT L N ...   (identifier defined here; chunks that use it)
#   use IDENT L N ...   (identifier used here; the chunks defining it)
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

# ---------------------------------------------------------------- pass 1
FNR == NR {
    if ($0 ~ /^@begin code/) { want_label = 1; cur = "" }
    else if ($0 ~ /^@xref label / && want_label) { cur = $3; want_label = 0 }
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
    incode = 1; label = ""; meta = ""; code = ""; line = ""; uses_line = 0
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
# identifier cross-reference, per chunk
incode && /^@index begindefs/ { idx = "defs"; isused = ""; next }
incode && /^@index isused / { isused = isused " " ref($3); next }
incode && /^@index defitem / {
    meta = meta "def " substr($0, 16) isused "\n"
    isused = ""
    next
}
incode && /^@index enddefs/ { idx = ""; next }
incode && /^@index beginuses/ { idx = "uses"; isdef = ""; next }
incode && /^@index isdefined / { isdef = isdef " " ref($3); next }
incode && /^@index useitem / { meta = meta "use " substr($0, 16) isdef "\n"; isdef = ""; next }
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

/^@index beginindex/ {
    printf "\n# Index of identifiers {#index-identifiers .unnumbered}\n\n%s{=identindex}\n", FENCE
    next
}
/^@index entrybegin / {
    ident = $0; sub(/^@index entrybegin [^ ]+ /, "", ident)
    idefs = ""; iuses = ""
    next
}
/^@index entrydefn / { idefs = idefs " " ref($3); next }
/^@index entryuse /  { iuses = iuses " " ref($3); next }
/^@index entryend/   {
    printf "%s%s%s%s%s\n", ident, TAB, substr(idefs, 2), TAB, substr(iuses, 2)
    next
}
/^@index endindex/   { printf "%s\n\n", FENCE; next }

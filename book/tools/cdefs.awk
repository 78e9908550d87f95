# cdefs.awk: a noweb filter that completes autodefs.c's index of C names.
#
# autodefs.c recognises definitions by C's own type names only: it misses
# `ssize_t read_full(int fd, ...)` and takes `sig_atomic_t` in `static
# volatile sig_atomic_t caught;` for the name defined.  This filter drops
# what it got wrong (names ending in _t, which POSIX reserves, so none is
# ours; feature-test macros; include guards) and adds, for each line of
# code that starts at column 0, the name it defines: a function (a line
# with a parameter list that does not end in `;`), an object, a typedef,
# a struct or enum tag, the first constant of an enum, a #define.
# The additions go just before the line's @nl, where autodefs.c puts its own.

function noise(name) {
    return name ~ /_t$/ || name ~ /^_(POSIX_C|GNU|XOPEN|DEFAULT)_SOURCE$/ || name ~ /^[A-Z0-9_]+_H$/
}
function defined_by(line,    m) {
    if (line ~ /^[ \t{}#\/*]/ && line !~ /^#define /) return ""
    if (match(line, /^#define [A-Za-z_][A-Za-z0-9_]*/))
        return substr(line, 9, RLENGTH - 8)
    if (line ~ /^typedef /) {
        # typedef int NAME(args); typedef int (*NAME)(args); typedef T NAME;
        m = line
        if (match(m, /\(\*[ \t]*[A-Za-z_][A-Za-z0-9_]*/))
            m = substr(m, RSTART, RLENGTH)              # (*NAME)(args)
        else if (index(m, "("))
            m = substr(m, 1, index(m, "(") - 1)         # NAME(args)
        else sub(/[ \t]*(\[[^]]*\])?[ \t]*;.*$/, "", m)
        if (match(m, /[A-Za-z_][A-Za-z0-9_]*$/)) return substr(m, RSTART)
        return ""
    }
    if (match(line, /^(struct|union|enum) [A-Za-z_][A-Za-z0-9_]* *\{/)) {
        m = substr(line, 1, RLENGTH); sub(/^[a-z]+ /, "", m); sub(/ *\{$/, "", m)
        return m
    }
    if (match(line, /^enum *\{ *[A-Za-z_][A-Za-z0-9_]*/)) {
        m = substr(line, 1, RLENGTH); sub(/^enum *\{ */, "", m)
        return m
    }
    # A function definition: NAME( with no ; at the end of the line.
    if (line !~ /;[ \t]*$/ && match(line, /^[A-Za-z_][^=;(]*[ *][A-Za-z_][A-Za-z0-9_]*\(/)) {
        m = substr(line, 1, RLENGTH - 1); sub(/^.*[ *]/, "", m)
        return m
    }
    # An object: ... NAME [= ...] ; with no parameter list before the =.
    if (match(line, /^[A-Za-z_][^=;(]*[ *][A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])? *(=|;)/)) {
        m = substr(line, 1, RLENGTH); sub(/(\[[^]]*\])? *(=|;)$/, "", m); sub(/^.*[ *]/, "", m)
        if (m !~ /^(return|break|continue|goto|case|default|else)$/) return m
    }
    return ""
}
/^@begin code/ { code = 1 }
/^@end code/   { code = 0 }
/^@(index (local)?defn) / {
    name = $0; sub(/^@index (local)?defn /, "", name)
    if (noise(name)) next
    have[name] = 1
}
/^@text / { line = line substr($0, 7) }
/^@nl/ {
    if (code && (name = defined_by(line)) != "" && !(name in have) && !noise(name))
        print "@index defn " name
    line = ""; delete have
}
{ print }

# kinds.awk: what the build makes of a root chunk, decided by its path.
# The one place for this rule: book/tools/tangle and weave.awk load it
# (tangle/Makefile, which must stand alone, follows it for C files).
#
# kind(root):  lib     a C file of the library every program links with
#              prog    a C program, named after its file
#              header  a C header
#              file    any other file the build knows, tangled as it is
#              ""      none of these: the build fails (a misspelt chunk use?)
# lang(root):  the language pandoc highlights its chunks in, or ""

# the paths kind() knows, for messages
BEGIN { KNOWN = "lib/*.c, *.c, *.h, Makefile, *.sh, *.bash, *.gp, *.txt" }

function kind(root) {
    if (root ~ /^lib\/[^\/]+\.c$/) return "lib"
    if (root ~ /\.c$/) return "prog"
    if (root ~ /\.h$/) return "header"
    if (root ~ /(^|\/)Makefile$/ || root ~ /\.(sh|bash|gp|txt)$/) return "file"
    return ""
}

function lang(root) {
    if (root ~ /\.[ch]$/) return "c"
    if (root ~ /(^|\/)Makefile$/) return "makefile"
    if (root ~ /\.(sh|bash)$/) return "bash"
    return ""
}

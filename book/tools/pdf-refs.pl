#!/usr/bin/perl -CSD
# pdf-refs.pl < TEXT: the text of the PDF book (pdftotext) on stdin; fails,
# naming them, if a chunk reference lacks the page where the chunk is
# defined ("12 (p. 34)"): a use inside code, a footer, an index entry, a
# previous/next link.  The introduction promises that every one has it.
use utf8;
local $/; $_ = <STDIN>;
s/\n\d+\n\n\f/\n\f/g;            # the page number at the foot of each page
s/\s+/ /g;
my (@bad, $n);
$n = () = /\d+ \(p\. \d+\)/g;
# a use inside code, or an index entry: "<name> 12 (p. 34)"; a head: "<name> 12 +="
push @bad, "use: $&" while /⟩ \d++(?! (?:(?:\+ ?)?≡|\(p\. \d+\)))/g;
# the footers and the indexes: "Used in chunks 3 (p. 4), 5 (p. 6)."
push @bad, "list: $&" while /(?:Used in chunks?|Continues chunk|Continued in chunks?|used in|defined in|◁) \d++(?! \(p\. \d+\))/g;
push @bad, "list: $&" while /\(p\. \d+\), \d++(?! \(p\. \d+\))/g;
push @bad, "next: $&" while /\b\d+ ▷/g;
# "Uses read_full 10 (p. 10), write_full 11 (p. 10)."
while (/Uses ((?:[^.]|(?<=p)\.(?= \d))*)\./g) {
    my $u = $1;
    (my $s = $u) =~ s/\d+ \(p\. \d+\)//g;
    push @bad, "Uses $u" if $s =~ /(?:^| )\d+(?:[, ]|$)/;
}
print "$n references with a page\n";
print STDERR "no page: $_\n" for @bad;
print STDERR "only $n references with a page: is this the book?\n" if $n < 100;
exit(@bad || $n < 100 ? 1 : 0);

#!/usr/bin/env bash
# META.json, the PGXN distribution metadata: the fields that the PGXN meta
# spec 1.0.0 requires, with the types and formats it gives them, and what
# must agree with the rest of the tree (the extension's script and version,
# the supported PostgreSQL versions).  Where the PGXN::Meta::Validator Perl
# module is installed, it is run as well.
#   bash test/meta.sh [META.json]
set -euo pipefail
cd "$(dirname "$0")/../.."
meta=${1:-META.json}

perl -MJSON::PP -e '
use strict;
use warnings;
my ($file) = @ARGV;
my @err;
my $m = eval {
	local $/;
	open my $fh, "<", $file or die "cannot open $file: $!\n";
	JSON::PP->new->utf8->decode(<$fh>);
} or do { print "FAIL $file is not valid JSON: $@"; exit 1 };

# semantic version 2.0.0, as the spec requires for every version field
my $num = qr/(?:0|[1-9][0-9]*)/;
my $id = qr/(?:$num|[0-9]*[A-Za-z-][0-9A-Za-z-]*)/;
my $semver = qr/$num\.$num\.$num(?:-$id(?:\.$id)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/;
my $range = qr/^(?:(?:[=!]=|[<>]=?)\s*)?$semver(?:\s*,\s*(?:(?:[=!]=|[<>]=?)\s*)?$semver)*$|^0$/;
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd
	freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0
	mozilla_1_1 mozilla_2_0 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib
	open_source restricted unrestricted unknown);
sub str { defined $_[0] && !ref $_[0] && length $_[0] }

for my $k (qw(name version abstract maintainer license provides meta-spec)) {
	push @err, "required field \"$k\" is missing" unless exists $m->{$k};
}
push @err, "name: at least two characters, no slash, backslash or control character"
	unless str($m->{name}) && $m->{name} =~ m{^[^/\\\p{Cntrl}]{2,}$};
push @err, "version \"" . ($m->{version} // "") . "\" is not a semantic version (X.Y.Z)"
	unless str($m->{version}) && $m->{version} =~ /^$semver$/;
push @err, "abstract: a non-empty string" unless str($m->{abstract});
my @maint = ref $m->{maintainer} eq "ARRAY" ? @{ $m->{maintainer} } : ($m->{maintainer});
push @err, "maintainer: a string or a list of strings" if exists $m->{maintainer} && grep { !str($_) } @maint;
if (ref $m->{license} eq "HASH") {
	push @err, "license: a map of names to URLs" if grep { !m{^https?://} } values %{ $m->{license} };
} else {
	my @l = ref $m->{license} eq "ARRAY" ? @{ $m->{license} } : ($m->{license});
	push @err, "license \"$_\" is not one of the spec'"'"'s names" for grep { !defined $_ || !$licenses{$_} } @l;
}
my $ms = $m->{"meta-spec"};
push @err, "meta-spec: {\"version\": \"1.0.x\"}"
	unless ref $ms eq "HASH" && str($ms->{version}) && $ms->{version} =~ /^1\.0\.[0-9]+$/;
if (ref $m->{provides} eq "HASH" && %{ $m->{provides} }) {
	for my $ext (sort keys %{ $m->{provides} }) {
		my $p = $m->{provides}{$ext};
		push @err, "provides/$ext: file is required and must exist"
			unless ref $p eq "HASH" && str($p->{file}) && -f $p->{file};
		push @err, "provides/$ext: version must be a semantic version"
			unless ref $p eq "HASH" && str($p->{version}) && $p->{version} =~ /^$semver$/;
		push @err, "provides/$ext: docfile must exist"
			if ref $p eq "HASH" && defined $p->{docfile} && !-f $p->{docfile};
	}
} else {
	push @err, "provides: a map of at least one extension";
}
if (ref $m->{prereqs} eq "HASH") {
	for my $phase (sort keys %{ $m->{prereqs} }) {
		push @err, "prereqs/$phase: not a phase of the spec"
			unless $phase =~ /^(configure|build|test|runtime|develop)$/;
		for my $rel (sort keys %{ $m->{prereqs}{$phase} }) {
			push @err, "prereqs/$phase/$rel: not a relationship of the spec"
				unless $rel =~ /^(requires|recommends|suggests|conflicts)$/;
			while (my ($pre, $v) = each %{ $m->{prereqs}{$phase}{$rel} }) {
				push @err, "prereqs/$phase/$rel/$pre: \"$v\" is not a version range" unless $v =~ $range;
			}
		}
	}
}
push @err, "release_status: stable, testing or unstable"
	if exists $m->{release_status} && $m->{release_status} !~ /^(stable|testing|unstable)$/;
if (exists $m->{resources}) {
	for my $k (qw(homepage)) {
		push @err, "resources/$k: a URL" if exists $m->{resources}{$k} && $m->{resources}{$k} !~ m{^https?://};
	}
}
for my $k (keys %$m) {
	push @err, "\"$k\" is neither a field of the spec nor a custom x_ field"
		unless $k =~ /^(name|version|abstract|maintainer|license|provides|meta-spec|description|generated_by|tags|no_index|prereqs|release_status|resources)$/
		|| $k =~ /^[xX]_./;
}

# agreement with the tree
open my $cf, "<", "seqguard.control" or die "seqguard.control: $!\n";
my ($def) = map { /^default_version\s*=\s*\x27([^\x27]+)\x27/ ? $1 : () } <$cf>;
my $p = $m->{provides}{seqguard} // {};
push @err, "provides/seqguard/file is \"" . ($p->{file} // "") . "\", the control file'"'"'s default_version $def installs seqguard--$def.sql"
	unless ($p->{file} // "") eq "seqguard--$def.sql";
(my $defsem = $def) =~ s/^([0-9]+\.[0-9]+)$/$1.0/;
push @err, "provides/seqguard/version is \"" . ($p->{version} // "") . "\", the control file says $def ($defsem)"
	unless ($p->{version} // "") eq $defsem;
my $pg = $m->{prereqs}{runtime}{requires}{PostgreSQL} // "";
push @err, "prereqs/runtime/requires/PostgreSQL is \"$pg\", the supported versions start at 15 (\">= 15.0.0\")"
	unless $pg =~ /^(>=\s*)?15\.0\.0$/;
for my $t (@{ $m->{x_tested_postgresql} // [] }) {
	push @err, "x_tested_postgresql: \"$t\" is not a supported major version (15 or later)"
		unless $t =~ /^[0-9]+$/ && $t >= 15;
}

if (@err) { print "FAIL $file: $_\n" for @err; exit 1 }
print "ok   $file: the fields of PGXN meta spec $ms->{version}, provides seqguard $p->{version} (seqguard--$def.sql)\n";
' "$meta"

if perl -MPGXN::Meta::Validator -e 1 2>/dev/null; then
	perl -MPGXN::Meta::Validator -e '
		my $v = PGXN::Meta::Validator->load_file(shift);
		if ($v->is_valid) { print "ok   PGXN::Meta::Validator\n"; exit 0 }
		print "FAIL PGXN::Meta::Validator: $_\n" for $v->errors;
		exit 1' "$meta"
fi

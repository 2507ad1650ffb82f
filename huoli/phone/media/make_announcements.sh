#!/usr/bin/env bash
# Remake the announcements from texts.tsv (language, espeak-ng voice, file, text) with
# espeak-ng and sox (Debian: apt-get install espeak-ng sox). A one-time step, not a build step:
# the WAV files are committed. 8 kHz, mono, 16-bit: what rtpengine plays to a telephone.
set -euo pipefail
cd "$(dirname "$0")"
raw=$(mktemp --suffix=.wav)
trap 'rm -f "$raw"' EXIT
while IFS=$'\t' read -r lang voice name text; do
  mkdir -p "$lang"
  espeak-ng -v "$voice" -s 165 -w "$raw" "$text"
  sox "$raw" -r 8000 -c 1 -b 16 -e signed-integer "$lang/$name.wav" \
    vol 0.9 silence 1 0.05 0.5% reverse silence 1 0.05 0.5% reverse
done < texts.tsv

#!/bin/sh
# Regenerates the media seeds of media_probe_fuzz in fuzz/corpus/media_probe_fuzz/ (committed;
# every file < 50 KB). Needs Debian's ffmpeg. The small outputs of the test fixture script
# (tests/fixtures/media/make_media.sh: the mp3s, the playlist) are reused; its videos are
# hundreds of KB, so tiny mp4/mov variants are made here with the same encoders.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus/media_probe_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

sh "$here/../tests/fixtures/media/make_media.sh" "$work/fixtures" >&2
for f in audio_pass.mp3 audio_22k.mp3 audio_mono.mp3 video_playlist.mp4; do
  if [ "$(wc -c < "$work/fixtures/$f")" -lt 51200 ]; then cp "$work/fixtures/$f" "$out/$f"; fi
done

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
SRC="-f lavfi -i testsrc2=size=64x36:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000"
H264="-c:v libx264 -preset ultrafast -pix_fmt yuv420p -b:v 200k"
AAC="-c:a aac -b:a 32k -ac 2 -ar 48000"
# shellcheck disable=SC2086
{
  ff $SRC -t 0.2 $H264 $AAC -movflags +faststart "$out/tiny_faststart.mp4"
  ff $SRC -t 0.2 $H264 $AAC "$out/tiny_moov_end.mp4"
  ff $SRC -t 0.2 $H264 -an -movflags +faststart "$out/tiny_video_only.mp4"
  ff $SRC -t 0.2 -vn $AAC -movflags +faststart "$out/tiny_audio_only.mp4"
  ff $SRC -t 0.2 $H264 $AAC -f mov "$out/tiny.mov"
  ff $SRC -t 0.2 $H264 $AAC -movflags +frag_keyframe+empty_moov "$out/tiny_fragmented.mp4"
  ff -f lavfi -i sine=frequency=440:sample_rate=44100 -t 0.3 -c:a libmp3lame -b:a 64k -ac 2 \
    -id3v2_version 3 -metadata title=seed "$out/tiny_id3.mp3"
}
# The tiny mp4 with its 32-bit chunk offsets (stco) rewritten as 64-bit ones (co64) near
# INT64_MAX: a layout mutation alone rarely produces.
python3 - "$out/tiny_faststart.mp4" "$out/co64_near_int64_max.mp4" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
containers = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}
def walk(start, end, parents):
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size < 8:
            return
        yield i, size, kind, parents
        if kind in containers:
            yield from walk(i + 8, i + size, parents + [i])
        i += size
i, size, _, parents = next(b for b in walk(0, len(data), []) if b[2] == b"stco")
n = struct.unpack(">I", data[i + 12:i + 16])[0]
co64 = struct.pack(">I4sII", 16 + 8 * n, b"co64", 0, n) + struct.pack(">Q", 0x7FFFFFFFFFFFFFF0) * n
for p in parents:
    data[p:p + 4] = struct.pack(">I", struct.unpack(">I", data[p:p + 4])[0] + len(co64) - size)
data[i:i + size] = co64
open(sys.argv[2], "wb").write(data)
PY
ls -l "$out" >&2

# SPDX-License-Identifier: MIT
# Turns a text file into a C source defining `const char NAME[]` (NUL-terminated),
# so that schema.sql is compiled into the binaries instead of read at run time.
# Usage: cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/embed.cmake: do not edit. */\n"
  "extern const char ${NAME}[];\nconst char ${NAME}[] = {\n${bytes}0x00\n};\n")

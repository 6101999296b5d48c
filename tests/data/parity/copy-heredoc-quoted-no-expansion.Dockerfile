FROM alpine
COPY <<"EOF" /x
${F:?missing} '
EOF

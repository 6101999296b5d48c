FROM --platform=$NOPE alpine

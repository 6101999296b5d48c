# check=skip=all
# syntax=x
# syntax=y
FROM a

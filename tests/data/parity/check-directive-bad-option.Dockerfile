# check=skip=all;error=maybe
FROM a

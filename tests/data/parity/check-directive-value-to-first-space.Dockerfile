# check=error=true trailing words
FROM a

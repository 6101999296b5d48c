FROM alpine
RUN <<EOF
echo plain $HOME
EOF
RUN <<-EOF
	echo chomped
		two tabs
	EOF
RUN <<'EOF'
echo $NOT_EXPANDED
EOF
RUN <<"EOF"
echo "$NOT_EXPANDED"
EOF
RUN cat <<A 3<<B - /dev/fd/3
first
A
second
B
COPY <<one.txt <<two.txt /dest/
1
one.txt
2
two.txt
ADD <<EOF /etc/file
added
EOF
RUN ["cat", "<<EOF"]
RUN echo "<<EOF" not a heredoc
RUN python3 <<EOF > /out.txt
print("hi")
EOF

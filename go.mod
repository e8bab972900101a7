module github.com/loginprobe/loginprobe

go 1.26

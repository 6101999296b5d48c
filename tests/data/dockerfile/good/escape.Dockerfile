# escape=`

# the Windows build stage
FROM mcr.microsoft.com/windows/servercore AS build
RUN powershell -Command `
    # a comment inside the continuation
    Write-Host hello `

    world
COPY C:\src\ C:\dst\
#
FROM scratch

module altrepo/deploy/docker/healthcheck

go 1.26.0

module altrepo/gateway

go 1.26.0

require altrepo/libs v0.0.0

require github.com/prometheus/client_golang v1.25.0 // indirect

replace altrepo/libs => ../libs

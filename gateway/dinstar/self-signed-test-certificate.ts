/**
 * A self-signed certificate for 127.0.0.1/localhost (EC P-256, valid until 2126), made with openssl for
 * tests only: a real HTTPS server presents it as a factory-fresh Dinstar would. Never used outside tests.
 */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmQ9yRlo4K/HB7c1N
/wJKZYgGNETVhdO32f1ekryLBCihRANCAARWdhSZZ34AWMTVHxa4U9mztNTCZ0Wb
TMEZe9B/t5ImPRrkfnlutuWZH9zjnnm7pZWuC+H7DHIpF83l4B97lBZ3
-----END PRIVATE KEY-----
`;

export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUEQZLb1AdzlN+1nlQCvkEvGdoWBcwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNDIwMjkyMFoYDzIxMjYxMDMx
MjAyOTIwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARWdhSZZ34AWMTVHxa4U9mztNTCZ0WbTMEZe9B/t5ImPRrkfnlutuWZ
H9zjnnm7pZWuC+H7DHIpF83l4B97lBZ3o28wbTAdBgNVHQ4EFgQUhzbN87MsfWxW
S+2Ki4m5RrgkJjAwHwYDVR0jBBgwFoAUhzbN87MsfWxWS+2Ki4m5RrgkJjAwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAK1t/CY2o+NneZHNDkSbasjdgeqorC5uwjmOYjS4gQZvAiEA
8ZncfKg7kRvpYQVSFWBfeeIKSuZ/Jd5qK6nlSbA/Jy0=
-----END CERTIFICATE-----
`;

module gmpsim/validation

go 1.19

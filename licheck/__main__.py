from licheck.fastcli import main

main()

from licheck.cli.app import main

main()

from pcndocs.cli import main

main()

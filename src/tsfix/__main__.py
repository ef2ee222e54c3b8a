from tsfix.cli import main

main()

// MIG demo: rules for the planted web shell (inert stand-in) and the backdoor's ELF header.
rule demo_php_webshell : webshell
{
  strings:
    $a = "http_response_code(404);"
    $b = "<?php"
  condition:
    $b at 0 and $a
}

private rule elf_magic { condition: uint32(0) == 0x464c457f }

rule demo_sshd_helper : backdoor
{
  strings:
    $s = "stand-in for a backdoor"
  condition:
    elf_magic and $s
}

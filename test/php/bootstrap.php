<?php
// Loads BTCPay's PHP client and the WooCommerce plugin's WordPress-free helper classes from
// ../shared/peers (unmodified, never copied here), and stands in for WordPress options with a
// JSON file, so the scripts below can make the plugin's calls with the plugin's arguments.
declare(strict_types=1);

$peers = getenv('PEERS_DIR') ?: dirname(__DIR__, 3) . '/shared/peers';
require_once $peers . '/btcpayserver-greenfield-php/src/autoload.php';
// Pure PHP classes (their methods that touch WordPress are not called here).
require_once $peers . '/woocommerce-greenfield-plugin/src/Helper/GreenfieldApiAuthorization.php';
require_once $peers . '/woocommerce-greenfield-plugin/src/Helper/GreenfieldApiWebhook.php';
require_once $peers . '/woocommerce-greenfield-plugin/src/Helper/OrderStates.php';

/** WordPress's translation function, as a site in English answers it (OrderStates' labels use it). */
function _x(string $text, string $context, string $domain = 'default'): string
{
    return $text;
}

/** What the plugin keeps in wp_options (btcpay_gf_url, btcpay_gf_api_key, btcpay_gf_store_id, btcpay_gf_webhook). */
function wc_options_file(): string
{
    $file = getenv('WOO_OPTIONS');
    if (!$file) {
        throw new RuntimeException('WOO_OPTIONS (the options JSON file) is not set');
    }
    return $file;
}

function get_option(string $name, $default = false)
{
    $file = wc_options_file();
    $options = is_file($file) ? json_decode((string) file_get_contents($file), true) : [];
    return $options[$name] ?? $default;
}

function update_option(string $name, $value): void
{
    $file = wc_options_file();
    $options = is_file($file) ? json_decode((string) file_get_contents($file), true) : [];
    $options[$name] = $value;
    file_put_contents($file, json_encode($options, JSON_PRETTY_PRINT), LOCK_EX);
}

function delete_option(string $name): void
{
    $file = wc_options_file();
    $options = is_file($file) ? json_decode((string) file_get_contents($file), true) : [];
    unset($options[$name]);
    file_put_contents($file, json_encode($options, JSON_PRETTY_PRINT), LOCK_EX);
}

/** The plugin's GreenfieldApiHelper::getConfig(). */
function gf_config(): array
{
    return [
        'url' => rtrim((string) get_option('btcpay_gf_url'), '/'),
        'api_key' => (string) get_option('btcpay_gf_api_key'),
        'store_id' => (string) get_option('btcpay_gf_store_id'),
        'webhook' => get_option('btcpay_gf_webhook', null),
    ];
}

function error_of(Throwable $e): array
{
    return ['class' => get_class($e), 'code' => $e->getCode(), 'message' => $e->getMessage()];
}
